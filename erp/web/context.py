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
    # One item for the IoT pages: the devices for those who may see them, else the readings.
    (("web:iot_device_list", "web:iot_reading_list"), _("IoT devices"), "iot_"),
    ("web:reception_list", _("Receptions"), "reception_"),
    ("web:quality_analysis_list", _("Quality"), "quality_"),
    ("web:processing_home", _("Processing"), "processing_"),
    ("web:inventory_stock", _("Inventory"), "inventory_"),
    ("web:ledger_entries", _("Ledger"), "ledger_"),
    ("web:eudr_plot_list", _("Plots (EUDR)"), "eudr_"),
    ("web:export_shipment_list", _("Sales and export"), "export_"),
    (("web:finance_home", "web:finance_payables"), _("Finance"), "finance_"),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if not getattr(request, "company", None) or not (user and user.is_authenticated):
        return {}
    current = getattr(request.resolver_match, "url_name", None)
    license, today = getattr(request, "license", None), timezone.localdate()
    items = []
    for names, label, *section in NAVIGATION:
        try:
            item = _first_allowed(names if isinstance(names, tuple) else (names,), user, license, today)
        except NoReverseMatch:  # the public site has no ERP pages
            return {}
        if item is not None:
            name, url = item
            is_current = name.split(":")[1] == current or bool(
                section and current and current.startswith(section[0])
            )
            items.append({"url": url, "label": label, "current": is_current})
    from erp.notifications.services import unread_count

    return {
        "navigation": items,
        "unread_notifications": unread_count(user),
        "licensed_modules": license.modules if license else frozenset(),
    }


def _first_allowed(names: tuple, user, license, today) -> tuple[str, str] | None:
    """The first of the item's pages the user's role may open and the license covers."""
    for name in names:
        url = reverse(name)
        view = resolve(url).func
        licensed = license_refusal(license, path=url, method="GET", today=today) is None
        if licensed and user.role in getattr(view, "allowed_roles", ()):
            return name, url
    return None
