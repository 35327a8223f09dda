"""``{% livechat_widget %}``: the live support chat's button and panel at the end of every
company page with navigation (templates/support/livechat/_widget.html)."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from master.licensing.models import Module
from master.platform.services import system_settings

from .. import selectors, services

register = template.Library()


def support_hours(values) -> str:
    """``lun, mar, mié, jue, vie · 08:00–18:00`` (ISO weekdays: 1 is Monday)."""
    days = ", ".join(str(WEEKDAYS_ABBR[int(day) - 1]) for day in sorted(values.support_weekdays))
    hours = f"{values.support_hours_start:%H:%M}–{values.support_hours_end:%H:%M}"
    return _("%(days)s · %(hours)s") % {"days": days, "hours": hours}


def ticket_create_url() -> str:
    try:
        return reverse("support_ticket_create")
    except NoReverseMatch:
        return "/support/tickets/new/"


@register.inclusion_tag("support/livechat/widget.html", takes_context=True)
def livechat_widget(context) -> dict:
    request = context.get("request")
    company, user = getattr(request, "company", None), getattr(request, "user", None)
    licensed = Module.SUPPORT in context.get("licensed_modules", ())
    if company is None or not (user and user.is_authenticated) or not licensed:
        return {"show": False}
    values = system_settings()
    chat = selectors.chat_current_for(company=company, user=user)
    return {
        "show": True,
        "chat": chat,
        "chat_messages": selectors.chat_messages(chat=chat) if chat else [],
        "ticket_url": services.ticket_url(chat.ticket) if chat and chat.ticket else "",
        "is_online": values.support_is_open(timezone.now()),
        "hours": support_hours(values),
        "ticket_create_url": ticket_create_url(),
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path(),
    }
