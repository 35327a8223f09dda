"""Routes of the sales and export API, under /api/v1/export/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import (
    ContainerViewSet,
    LoadViewSet,
    SalesContractViewSet,
    ShipmentDocumentViewSet,
    ShipmentPdfView,
    ShipmentViewSet,
)

# SimpleRouter: no API root view here, it would shadow erp/urls.py's.
router = SimpleRouter()
router.register("export/sales-contracts", SalesContractViewSet, basename="export-sales-contract")
router.register("export/shipments", ShipmentViewSet, basename="export-shipment")
router.register("export/containers", ContainerViewSet, basename="export-container")
router.register("export/loads", LoadViewSet, basename="export-load")
router.register("export/shipment-documents", ShipmentDocumentViewSet, basename="export-document")

PDFS = ("invoice", "packing-list", "quality-certificate")

urlpatterns = [
    *(
        path(
            f"export/shipments/<int:pk>/{document}.pdf",
            ShipmentPdfView.as_view(document=document),
            name=f"export-shipment-{document}",
        )
        for document in PDFS
    ),
    *router.urls,
]
