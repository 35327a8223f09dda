"""Routes of this app under /api/v1/ (see erp/urls.py)."""

from django.urls import path

from .api import CalculationHistoryView, CalculatorView

urlpatterns = [
    path("calculator/", CalculatorView.as_view(), name="calculator"),
    path("calculator/history/", CalculationHistoryView.as_view(), name="calculator-history"),
]
