"""Routes of the inventory API, under /api/v1/inventory/."""

from rest_framework.routers import SimpleRouter

from .api import MovementViewSet, StockViewSet, WarehouseViewSet

router = SimpleRouter()
router.register("inventory/warehouses", WarehouseViewSet, basename="inventory-warehouse")
router.register("inventory/stock", StockViewSet, basename="inventory-stock")
router.register("inventory/movements", MovementViewSet, basename="inventory-movement")

urlpatterns = router.urls
