from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from triboka.admin_actions import apply_to_each
from triboka.audit.admin import AuditedAdminMixin
from triboka.errors import ApplicationError

from . import services
from .models import Report, ReportFormat, ReportSchedule


class ReportRequestForm(forms.ModelForm):
    """The "generate" form: what to report on; a worker writes it."""

    formats = forms.MultipleChoiceField(
        label=_("formats"),
        choices=ReportFormat.choices,
        initial=ReportFormat.values,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Report
        fields = ["kind", "start", "end", "company", "formats", "language"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Reports and their files. "Add" asks for a new one (written by a worker); a report is
    not edited afterwards, and deleting one deletes its files."""

    list_display = (
        "__str__",
        "kind",
        "start",
        "end",
        "company_slug",
        "status",
        "rows",
        "downloads",
        "created_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("company_slug", "requested_by")
    date_hierarchy = "created_at"
    raw_id_fields = ("company",)
    actions = ["generate_again"]
    fieldsets = (
        (None, {"fields": ("kind", "start", "end", "company", "company_slug", "formats", "language")}),
        (_("Result"), {"fields": ("status", "rows", "downloads", "error", "emailed_to", "emailed_at")}),
        (_("Progress"), {"fields": ("requested_by", "schedule", "created_at", "started_at", "finished_at")}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": ReportRequestForm.Meta.fields}),)
        return self.fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ReportRequestForm
        return super().get_form(request, obj, change=change, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.report_delete(report=obj)

    def delete_queryset(self, request, queryset):
        for report in queryset:
            services.report_delete(report=report)

    @admin.display(description=_("files"))
    def downloads(self, obj):
        if not obj.is_done:
            return "-"
        return format_html_join(
            " ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:reports_report_download", args=[obj.pk, fmt]), fmt.upper())
                for fmt in obj.files
            ),
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        queued = services.report_queue(
            kind=data["kind"],
            start=data["start"],
            end=data["end"],
            company=data.get("company"),
            formats=data["formats"],
            language=data["language"],
            requested_by=request.user.email,
        )
        obj.pk = queued.pk

    @admin.action(description=_("Generate the selected reports again"))
    def generate_again(self, request, queryset):
        def again(report):
            services.report_queue(
                kind=report.kind,
                start=report.start,
                end=report.end,
                company=report.company,
                formats=report.formats,
                language=report.language,
                requested_by=request.user.email,
            )

        apply_to_each(
            self,
            request,
            queryset.select_related("company"),
            again,
            lambda n: ngettext("%d report queued.", "%d reports queued.", n),
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/download/<str:fmt>/",
                wrap(self.download_view),
                name="reports_report_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, object_id, fmt):
        report = self.get_object(request, str(object_id))
        if report is None:
            raise Http404
        if not self.has_view_permission(request, report):
            raise PermissionDenied
        try:
            content, name, content_type = services.report_file_open(report, fmt)
        except (ApplicationError, ValidationError) as error:
            raise Http404(str(error)) from error
        return FileResponse(content, as_attachment=True, filename=name, content_type=content_type)


class ReportScheduleForm(forms.ModelForm):
    formats = forms.MultipleChoiceField(
        label=_("formats"),
        choices=ReportFormat.choices,
        initial=ReportFormat.values,
        widget=forms.CheckboxSelectMultiple,
    )
    recipients = forms.CharField(
        label=_("recipients"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One e-mail address per line (or separated by commas)."),
    )

    class Meta:
        model = ReportSchedule
        fields = list(services.SCHEDULE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["recipients"] = "\n".join(self.instance.recipients)

    def clean_recipients(self):
        return [address for address in self.cleaned_data["recipients"].replace(",", "\n").split() if address]


@admin.register(ReportSchedule)
class ReportScheduleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Schedules: each owns its beat task (kept in line when the schedule is saved)."""

    form = ReportScheduleForm
    list_display = (
        "name",
        "kind",
        "period",
        "company",
        "crontab",
        "enabled",
        "recipient_list",
        "last_run_at",
    )
    list_filter = ("enabled", "kind", "period")
    search_fields = ("name", "company__slug")
    list_select_related = ("company", "periodic_task")
    raw_id_fields = ("company",)
    actions = ["run_now"]

    @admin.display(description=_("recipients"))
    def recipient_list(self, obj):
        return ", ".join(obj.recipients)

    @admin.display(description=_("last run"))
    def last_run_at(self, obj):
        return obj.periodic_task.last_run_at if obj.periodic_task else None

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.SCHEDULE_FIELDS}
        if change:
            services.schedule_update(schedule=obj, **data)
        else:
            obj.pk = services.schedule_create(**data, created_by=request.user.email).pk

    def delete_model(self, request, obj):
        services.schedule_delete(schedule=obj)

    def delete_queryset(self, request, queryset):
        for schedule in queryset:
            services.schedule_delete(schedule=schedule)

    @admin.action(description=_("Run the selected schedules now (a new report, e-mailed)"))
    def run_now(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda schedule: services.schedule_run_queue(schedule=schedule),
            lambda n: ngettext(
                "%d schedule queued; its report is listed in Reports.",
                "%d schedules queued; their reports are listed in Reports.",
                n,
            ),
        )
        self.message_user(request, _("The e-mails go out once the reports are written."), messages.INFO)
