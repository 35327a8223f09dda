"""The navigation of a company site: only the pages the user's role may open and the
company's license covers."""

from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from master.licensing.enforcement import license_refusal

NAVIGATION = [
    ("web:dashboard", _("Dashboard")),
    ("web:contract_list", _("Contracts")),
    ("web:lot_list", _("Lots")),
    ("web:calculator", _("Calculator")),
    ("web:demand_list", _("Demand")),
    ("web:partner_list", _("Partners")),
    ("web:user_list", _("Users")),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if not getattr(request, "company", None) or not (user and user.is_authenticated):
        return {}
    current = getattr(request.resolver_match, "url_name", None)
    license, today = getattr(request, "license", None), timezone.localdate()
    items = []
    for name, label in NAVIGATION:
        try:
            url = reverse(name)
        except NoReverseMatch:  # the public site has no ERP pages
            return {}
        view = resolve(url).func
        licensed = license_refusal(license, path=url, method="GET", today=today) is None
        if licensed and user.role in getattr(view, "allowed_roles", ()):
            items.append({"url": url, "label": label, "current": name.split(":")[1] == current})
    from erp.notifications.services import unread_count

    return {
        "navigation": items,
        "unread_notifications": unread_count(user),
        "licensed_modules": license.modules if license else frozenset(),
    }
