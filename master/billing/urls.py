"""Master API routes of billing, under /api/master/."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("invoices", api.InvoiceViewSet, basename="master-invoice")

urlpatterns = router.urls
