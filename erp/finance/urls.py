"""Routes of the finance API, under /api/v1/finance/."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from .api import (
    BuyerPaymentViewSet,
    CostViewSet,
    LotCostView,
    MarginsView,
    PayablesView,
    ReceivablesView,
    ReportView,
    ShipmentMarginView,
    SupplierPaymentViewSet,
)

# SimpleRouter: no API root view here, it would shadow erp/urls.py's.
router = SimpleRouter()
router.register("finance/costs", CostViewSet, basename="finance-cost")
router.register("finance/supplier-payments", SupplierPaymentViewSet, basename="finance-supplier-payment")
router.register("finance/buyer-payments", BuyerPaymentViewSet, basename="finance-buyer-payment")

urlpatterns = [
    path("finance/lots/<int:pk>/cost/", LotCostView.as_view(), name="finance-lot-cost"),
    path("finance/shipments/<int:pk>/margin/", ShipmentMarginView.as_view(), name="finance-shipment-margin"),
    path("finance/margins/", MarginsView.as_view(), name="finance-margins"),
    path("finance/payables/", PayablesView.as_view(), name="finance-payables"),
    path("finance/receivables/", ReceivablesView.as_view(), name="finance-receivables"),
    re_path(
        r"^finance/reports/(?P<name>[a-z-]+)\.(?P<fmt>csv|xlsx|pdf)$",
        ReportView.as_view(),
        name="finance-report",
    ),
    *router.urls,
]
