"""Routes of the EUDR API, under /api/v1/eudr/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import EvidenceViewSet, LotEudrView, PlotViewSet, ReceptionPlotsView

router = SimpleRouter()
router.register("eudr/plots", PlotViewSet, basename="eudr-plot")
router.register("eudr/evidence", EvidenceViewSet, basename="eudr-evidence")

urlpatterns = [
    path("eudr/receptions/<int:pk>/plots/", ReceptionPlotsView.as_view(), name="eudr-reception-plots"),
    path("eudr/lots/<int:pk>/", LotEudrView.as_view(), name="eudr-lot"),
    *router.urls,
]
