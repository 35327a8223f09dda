"""Master reports: files (CSV, XLSX, PDF) built by a Celery task from the pre-aggregated
public tables, and schedules that build them periodically and e-mail them.

Both live in the public schema: a report reads every company's figures from there (never a
company's schema), and a row outlives the company it was about.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import PeriodicTask
from django_celery_beat.validators import crontab_validator

from triboka.accounts.models import Language


class ReportKind(models.TextChoices):
    CONSUMPTION = "consumption", _("API consumption by company and day")
    ENDPOINTS = "endpoints", _("API consumption by endpoint")
    COMPANIES = "companies", _("Companies")
    LICENSES = "licenses", _("Licenses expiring or over their limits")
    REVENUE = "revenue", _("Revenue by month and company")
    SUPPORT = "support", _("Support tickets by company")


class ReportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX (Excel)"
    PDF = "pdf", "PDF"


def all_formats() -> list[str]:
    return list(ReportFormat.values)


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ReportPeriod(models.TextChoices):
    """A schedule's period, relative to the day it runs."""

    PREVIOUS_DAY = "previous_day", _("Previous day")
    PREVIOUS_WEEK = "previous_week", _("Previous week (Monday to Sunday)")
    PREVIOUS_MONTH = "previous_month", _("Previous month")
    PREVIOUS_YEAR = "previous_year", _("Previous year")


class Report(models.Model):
    """One report: what was asked (kind, period, company or all, formats, language) and
    what was written (a file per format in STORAGES["reports"], its size, the row count)."""

    kind = models.CharField(_("kind"), max_length=16, choices=ReportKind.choices)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company"),
        help_text=_("Empty: every company."),
    )
    # The subdomain asked for, kept when the company is deleted ("" for every company).
    company_slug = models.CharField(_("subdomain"), max_length=63, blank=True)
    formats = ArrayField(
        models.CharField(max_length=4, choices=ReportFormat.choices),
        verbose_name=_("formats"),
        default=all_formats,
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.SPANISH
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    requested_by = models.CharField(_("requested by"), max_length=254, blank=True)
    schedule = models.ForeignKey(
        "ReportSchedule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("schedule"),
    )
    # {"csv": {"name": "12/consumption-2026-03-01-2026-03-31.csv", "size": 1234}, ...}
    files = models.JSONField(_("files"), default=dict, blank=True)
    rows = models.IntegerField(_("rows"), null=True, blank=True)
    emailed_to = models.JSONField(_("e-mailed to"), default=list, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="report_period_not_empty"
            )
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="report_status_created"),
            models.Index(fields=["schedule", "start", "end"], name="report_schedule_period"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start}..{self.end} {self.company_slug or '*'}"

    @property
    def is_done(self) -> bool:
        return self.status == ReportStatus.DONE

    def clean(self):
        errors = {}
        if self.start and self.end:
            if self.start > self.end:
                errors["start"] = _("The first day comes after the last day.")
            elif self.end - self.start >= timedelta(days=settings.REPORTS_MAX_DAYS):
                errors["end"] = _("A report covers at most %(days)s days.") % {
                    "days": settings.REPORTS_MAX_DAYS
                }
        formats_check(self.formats, errors)
        if errors:
            raise ValidationError(errors)


def formats_check(formats, errors: dict) -> None:
    """At least one format, each once (the choices themselves are checked by the field)."""
    if not formats:
        errors["formats"] = _("Choose at least one format.")
    elif len(set(formats)) != len(formats):
        errors["formats"] = _("Each format once.")


class ReportSchedule(models.Model):
    """A report built on a crontab and e-mailed to its recipients. It owns the
    django-celery-beat PeriodicTask that runs it (created, updated and deleted with it by
    master.reports.services), so beat needs no other set-up."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ReportKind.choices)
    period = models.CharField(_("period"), max_length=16, choices=ReportPeriod.choices)
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company"),
        help_text=_("Empty: every company."),
    )
    formats = ArrayField(
        models.CharField(max_length=4, choices=ReportFormat.choices),
        verbose_name=_("formats"),
        default=all_formats,
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.SPANISH
    )
    recipients = ArrayField(models.EmailField(), verbose_name=_("recipients"))
    crontab = models.CharField(
        _("crontab"),
        max_length=100,
        help_text=_(
            "Minute, hour, day of the month, month and day of the week, in the platform's time zone: "
            '"0 7 1 * *" is the first of every month at 07:00.'
        ),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    periodic_task = models.OneToOneField(
        PeriodicTask,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("beat task"),
    )
    created_by = models.CharField(_("created by"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        fields = self.crontab.split()
        if len(fields) != 5:
            errors["crontab"] = _("Five fields: minute, hour, day of the month, month and day of the week.")
        else:
            try:
                crontab_validator(" ".join(fields))
            except ValidationError as error:
                errors["crontab"] = error.messages
        formats_check(self.formats, errors)
        if not self.recipients:
            errors["recipients"] = _("Give at least one e-mail address.")
        elif len(set(self.recipients)) != len(self.recipients):
            errors["recipients"] = _("Each address once.")
        if errors:
            raise ValidationError(errors)
