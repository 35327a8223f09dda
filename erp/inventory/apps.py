from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    """Warehouses, stock by location and its movements."""

    name = "erp.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self):
        from erp.lots.signals import lot_status_changed

        from .services import on_lot_status_changed

        lot_status_changed.connect(on_lot_status_changed, dispatch_uid="inventory-dispatched-lots-leave")
