from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    """Warehouses, stock by location and its movements."""

    name = "erp.inventory"
    label = "inventory"
    verbose_name = _("Inventory")
