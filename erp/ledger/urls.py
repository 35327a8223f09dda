"""Routes of the ledger API, under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import LedgerEntryViewSet, LedgerVerifyView, LotCertificateView, LotCodeView

router = SimpleRouter()
router.register("ledger/entries", LedgerEntryViewSet, basename="ledger-entry")

urlpatterns = [
    path("ledger/verify/", LedgerVerifyView.as_view(), name="ledger-verify"),
    path("ledger/lots/<int:pk>/code/", LotCodeView.as_view(), name="ledger-lot-code"),
    path("ledger/lots/<int:pk>/certificate/", LotCertificateView.as_view(), name="ledger-lot-certificate"),
    *router.urls,
]
