"""Routes of the processing API, under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import DryingViewSet, FermentationViewSet, LotProcessingView

router = SimpleRouter()
router.register("processing/fermentations", FermentationViewSet, basename="processing-fermentation")
router.register("processing/dryings", DryingViewSet, basename="processing-drying")

urlpatterns = [
    path("processing/lots/<int:lot_id>/", LotProcessingView.as_view(), name="processing-lot"),
    *router.urls,
]
