"""Master API for reports (root domain, staff only): ask for one (written by a worker),
list and see them, download a file; list, create, edit and delete the e-mailed schedules.
One more endpoint answers without signing in: the expiring signed links of e-mails."""

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from master.companies.api import IsMasterStaff, company_slug_field
from triboka.accounts.models import Language

from . import services
from .models import Report, ReportFormat, ReportKind, ReportPeriod, ReportSchedule, ReportStatus

# --- reports -------------------------------------------------------------------------------


class ReportSerializer(serializers.ModelSerializer):
    company = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "url",
            "kind",
            "start",
            "end",
            "company",
            "formats",
            "language",
            "status",
            "error",
            "rows",
            "files",
            "requested_by",
            "schedule",
            "emailed_to",
            "emailed_at",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_company(self, report) -> str | None:
        return report.company_slug or None

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_url(self, report) -> str:
        return self._absolute(reverse("master-report", args=[report.pk]))

    def get_files(self, report) -> dict[str, dict]:
        """Per written format: its size in bytes and where to download it."""
        download = reverse("master-report-download", args=[report.pk])
        return {
            fmt: {"size": entry["size"], "download_url": self._absolute(f"{download}?format={fmt}")}
            for fmt, entry in report.files.items()
        }


class ReportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    start = serializers.DateField(help_text=_("First day."))
    end = serializers.DateField(help_text=_("Last day."))
    company = company_slug_field(required=False, allow_null=True)
    formats = serializers.ListField(
        child=serializers.ChoiceField(choices=ReportFormat.choices),
        required=False,
        allow_empty=False,
        help_text=_("Default: every format."),
    )
    language = serializers.ChoiceField(choices=Language.choices, required=False)


def _report_queryset(params):
    reports = Report.objects.select_related("company")
    if params.get("kind") in ReportKind.values:
        reports = reports.filter(kind=params["kind"])
    if params.get("status") in ReportStatus.values:
        reports = reports.filter(status=params["status"])
    if params.get("company"):
        reports = reports.filter(company_slug=params["company"])
    return reports


class ReportListView(generics.ListAPIView):
    """Reports, newest first (?kind=, ?status=, ?company=<subdomain>)."""

    permission_classes = [IsMasterStaff]
    serializer_class = ReportSerializer

    def get_queryset(self):
        return _report_queryset(self.request.query_params)

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str),
            OpenApiParameter("status", str),
            OpenApiParameter("company", str),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ReportDetailView(generics.RetrieveAPIView):
    permission_classes = [IsMasterStaff]
    serializer_class = ReportSerializer
    queryset = Report.objects.select_related("company")


class ReportGenerateView(generics.GenericAPIView):
    """Ask for a report of a period (every company, or one): a worker writes it in each
    format asked (CSV, XLSX, PDF; all by default). Poll its ``url`` until ``status`` is
    ``done``, then download its files."""

    permission_classes = [IsMasterStaff]
    serializer_class = ReportRequestSerializer

    @extend_schema(request=ReportRequestSerializer, responses={202: ReportSerializer})
    def post(self, request):
        serializer = ReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.report_queue(**serializer.validated_data, requested_by=request.user.email)
        report.refresh_from_db()  # as it stands now: queued, or already done when tasks run inline
        data = ReportSerializer(report, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


class FileFormatNegotiation(DefaultContentNegotiation):
    """``?format=`` names the file to download here, not one of DRF's renderers (errors are
    JSON)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _file_response(report: Report, fmt: str) -> FileResponse:
    content, name, content_type = services.report_file_open(report, fmt)
    return FileResponse(content, as_attachment=True, filename=name, content_type=content_type)


class ReportDownloadView(APIView):
    """The report's file in ``?format=`` (csv, xlsx or pdf): 404 until the report is done."""

    permission_classes = [IsMasterStaff]
    content_negotiation_class = FileFormatNegotiation

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=ReportFormat.values, default=ReportFormat.CSV)],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            400: OpenApiResponse(description=_("Unknown format.")),
            404: OpenApiResponse(description=_("No such report, not written yet, or not in that format.")),
        },
    )
    def get(self, request, pk):
        report = get_object_or_404(Report, pk=pk)
        return _file_response(report, request.query_params.get("format", ReportFormat.CSV))


class ReportFileLinkView(APIView):
    """A file through the signed link of an e-mail: no sign-in, until the link expires."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    content_negotiation_class = FileFormatNegotiation

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request, token):
        report, fmt = services.report_from_link(token)
        return _file_response(report, fmt)


# --- schedules -----------------------------------------------------------------------------


class ScheduleSerializer(serializers.ModelSerializer):
    company = serializers.SerializerMethodField()
    last_run_at = serializers.DateTimeField(
        source="periodic_task.last_run_at", read_only=True, allow_null=True
    )

    class Meta:
        model = ReportSchedule
        fields = [
            "id",
            "name",
            "kind",
            "period",
            "company",
            "formats",
            "language",
            "recipients",
            "crontab",
            "enabled",
            "periodic_task",
            "last_run_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_company(self, schedule) -> str | None:
        return schedule.company.slug if schedule.company else None


class ScheduleWriteSerializer(serializers.Serializer):
    """What staff set; the service checks the crontab, formats and recipients all at once."""

    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    period = serializers.ChoiceField(choices=ReportPeriod.choices)
    company = company_slug_field(required=False, allow_null=True)
    formats = serializers.ListField(
        child=serializers.ChoiceField(choices=ReportFormat.choices), required=False
    )
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    recipients = serializers.ListField(child=serializers.EmailField(), allow_empty=False)
    crontab = serializers.CharField(
        max_length=100, help_text=ReportSchedule._meta.get_field("crontab").help_text
    )
    enabled = serializers.BooleanField(required=False)


def _schedules():
    return ReportSchedule.objects.select_related("company", "periodic_task")


class ScheduleListView(generics.ListAPIView):
    """Schedules: each writes its report of the period before each run (on its crontab)
    and e-mails it to its recipients."""

    permission_classes = [IsMasterStaff]
    serializer_class = ScheduleSerializer

    def get_queryset(self):
        return _schedules()

    @extend_schema(request=ScheduleWriteSerializer, responses={201: ScheduleSerializer})
    def post(self, request):
        serializer = ScheduleWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        schedule = services.schedule_create(**serializer.validated_data, created_by=request.user.email)
        return Response(
            ScheduleSerializer(_schedules().get(pk=schedule.pk)).data, status=status.HTTP_201_CREATED
        )


class ScheduleDetailView(generics.GenericAPIView):
    permission_classes = [IsMasterStaff]
    serializer_class = ScheduleSerializer

    def get_queryset(self):
        return _schedules()

    def _answer(self, pk) -> Response:
        return Response(ScheduleSerializer(get_object_or_404(_schedules(), pk=pk)).data)

    def get(self, request, pk):
        return self._answer(pk)

    @extend_schema(request=ScheduleWriteSerializer, responses=ScheduleSerializer)
    def put(self, request, pk, partial=False):
        schedule = get_object_or_404(_schedules(), pk=pk)
        serializer = ScheduleWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        services.schedule_update(schedule=schedule, **serializer.validated_data)
        return self._answer(pk)

    @extend_schema(request=ScheduleWriteSerializer, responses=ScheduleSerializer)
    def patch(self, request, pk):
        return self.put(request, pk, partial=True)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        services.schedule_delete(schedule=get_object_or_404(_schedules(), pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
