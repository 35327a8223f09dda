from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "erp.market"
    label = "market"
    verbose_name = _("Demand and reference prices")
