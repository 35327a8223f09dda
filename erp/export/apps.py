from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportConfig(AppConfig):
    """Sales to foreign buyers and their logistics: sales contracts, shipments, containers
    filled with lots from inventory, and the export documents of each shipment."""

    name = "erp.export"
    label = "export"
    verbose_name = _("Sales and export")
