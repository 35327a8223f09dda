"""Master API routes of webhooks, under /api/master/."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("webhooks", api.MasterSubscriptionViewSet, basename="master-webhook")
router.register("webhook-deliveries", api.MasterDeliveryViewSet, basename="master-webhook-delivery")

urlpatterns = router.urls
