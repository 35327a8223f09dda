"""Routes of the EUDR due diligence of shipments, under /api/v1/export/ (module ``eudr``)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .dds_api import DueDiligenceFileView, DueDiligenceView, StatementViewSet

router = SimpleRouter()
router.register("export/due-diligence-statements", StatementViewSet, basename="export-statement")

PACK = "export/shipments/<int:pk>/due-diligence/"

urlpatterns = [
    path(PACK, DueDiligenceView.as_view(), name="export-due-diligence"),
    path(
        f"{PACK}plots.geojson",
        DueDiligenceFileView.as_view(kind="geojson"),
        name="export-due-diligence-geojson",
    ),
    path(
        f"{PACK}statement.json", DueDiligenceFileView.as_view(kind="json"), name="export-due-diligence-json"
    ),
    path(f"{PACK}summary.pdf", DueDiligenceFileView.as_view(kind="pdf"), name="export-due-diligence-pdf"),
    *router.urls,
]
