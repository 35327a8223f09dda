from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    """Costs of lots and shipments, margins of sales, payables to suppliers and receivables
    from buyers (a company's schema)."""

    name = "erp.finance"
    label = "finance"
    verbose_name = _("Finance")
