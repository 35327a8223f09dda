"""Routes of the quality API, under /api/v1/quality/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import AnalysisViewSet, CertificateViewSet, ContractTermsView, PhotoFileView

# SimpleRouter: no API root view here, it would shadow erp/urls.py's.
router = SimpleRouter()
router.register("quality/analyses", AnalysisViewSet, basename="quality-analysis")
router.register("quality/certificates", CertificateViewSet, basename="quality-certificate")

urlpatterns = [
    path("quality/photos/<int:pk>/file/", PhotoFileView.as_view(), name="quality-photo-file"),
    path("quality/terms/<int:contract_id>/", ContractTermsView.as_view(), name="quality-terms"),
    *router.urls,
]
