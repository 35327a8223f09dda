"""A company's webhook API, under /api/v1/ on its site (triboka/urls_tenant.py)."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("webhooks", api.CompanySubscriptionViewSet, basename="webhook")
router.register("webhook-deliveries", api.CompanyDeliveryViewSet, basename="webhook-delivery")

urlpatterns = router.urls
