"""Routes of this app under /api/v1/ (see erp/urls.py)."""

from rest_framework.routers import SimpleRouter

from .api import DemandViewSet, FobPriceViewSet

router = SimpleRouter()
router.register("demand", DemandViewSet, basename="demand")
router.register("fob-prices", FobPriceViewSet, basename="fob-price")

urlpatterns = router.urls
