from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "support.tickets"
    label = "support_tickets"
    verbose_name = _("Support tickets")
