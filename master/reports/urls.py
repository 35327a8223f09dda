"""Master API routes of reports, under /api/master/. Each answers with and without the
trailing slash (the issue names them without it; the rest of the API uses it)."""

from django.urls import path

from . import api


def _both(route: str, view, name: str) -> list:
    """The route with a trailing slash (in the OpenAPI schema) and without it (left out of
    the schema, so no operation is listed twice)."""
    return [
        path(f"{route}/", view.as_view(), name=name),
        path(route, view.as_view(schema=None), name=f"{name}-bare"),
    ]


urlpatterns = [
    *_both("reports", api.ReportListView, "master-reports"),
    *_both("reports/generate", api.ReportGenerateView, "master-report-generate"),
    *_both("reports/scheduled", api.ScheduleListView, "master-report-schedules"),
    *_both("reports/scheduled/<int:pk>", api.ScheduleDetailView, "master-report-schedule"),
    *_both("reports/<int:pk>", api.ReportDetailView, "master-report"),
    *_both("reports/<int:pk>/download", api.ReportDownloadView, "master-report-download"),
    path("reports/files/<str:token>", api.ReportFileLinkView.as_view(), name="report-file-link"),
]
