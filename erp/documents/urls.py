"""Routes of this app under /api/v1/ (see erp/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import ContractDocumentsView, DocumentFileView, DocumentViewSet

# SimpleRouter: no API root view here, it would shadow erp/urls.py's.
router = SimpleRouter()
router.register("documents", DocumentViewSet, basename="document")

urlpatterns = [
    path(
        "contracts/<int:contract_id>/documents/", ContractDocumentsView.as_view(), name="contract-documents"
    ),
    path("documents/<int:pk>/file/", DocumentFileView.as_view(), name="document-file"),
    *router.urls,
]
