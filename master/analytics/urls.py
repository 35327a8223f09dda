"""Master API routes of the dashboard and analytics, under /api/master/."""

from django.urls import path

from . import api

urlpatterns = [
    path("dashboard/", api.DashboardView.as_view(), name="master-dashboard"),
    path("analytics/dashboard/", api.DashboardView.as_view(), name="master-analytics-dashboard"),
    path("dashboard/companies/", api.CompaniesView.as_view(), name="master-dashboard-companies"),
    path("analytics/companies/", api.CompaniesView.as_view(), name="master-analytics-companies"),
    path("dashboard/revenue/", api.RevenueView.as_view(), name="master-dashboard-revenue"),
    # the issue names it without the trailing slash: both answer, the first is in the schema
    path("analytics/support/", api.SupportView.as_view(), name="master-analytics-support"),
    path("analytics/support", api.SupportView.as_view(schema=None), name="master-analytics-support-bare"),
]
