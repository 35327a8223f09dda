"""Reports: requested (API, admin, a schedule), written by a worker, downloaded, e-mailed.

``report_queue`` saves a Report and sends ``tasks.report_generate`` once the caller's
transaction commits; ``report_generate`` reads the rows once (selectors.py) and writes each
format (writers.py) to STORAGES["reports"]. A schedule owns a django-celery-beat
PeriodicTask calling ``tasks.report_schedule_run``, which writes the report of the period
before the run (one per schedule and period, however often beat fires) and e-mails it.
"""

import json
import logging
import tempfile
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from master.companies.models import Company, company_url
from triboka.errors import ApplicationError

from .models import Report, ReportFormat, ReportPeriod, ReportSchedule, ReportStatus, all_formats
from .selectors import TableQuery, report_table
from .storage import report_storage
from .writers import CONTENT_TYPES, Heading, file_write

logger = logging.getLogger(__name__)

SCHEDULE_TASK = "master.reports.tasks.report_schedule_run"
SCHEDULE_FIELDS = (
    "name",
    "kind",
    "period",
    "company",
    "formats",
    "language",
    "recipients",
    "crontab",
    "enabled",
)
LINK_SALT = "master.reports.file"

# --- requesting ----------------------------------------------------------------------------


def report_request(
    *,
    kind: str,
    start: date,
    end: date,
    company: Company | None = None,
    formats: list[str] | None = None,
    language: str | None = None,
    requested_by: str = "",
    schedule: ReportSchedule | None = None,
) -> Report:
    """A report to be written by ``report_generate``; bad input is a ValidationError by field."""
    report = Report(
        kind=kind,
        start=start,
        end=end,
        company=company,
        company_slug=company.slug if company else "",
        formats=list(formats) if formats else all_formats(),
        language=language or settings.LANGUAGE_CODE,
        requested_by=requested_by,
        schedule=schedule,
    )
    report.full_clean()
    report.save()
    return report


def report_queue(**fields) -> Report:
    """A report written by a worker once the caller's transaction commits (at once, inline,
    where there is no broker)."""
    report = report_request(**fields)
    transaction.on_commit(lambda: _send(report.pk))
    return report


def _send(report_id: int) -> None:
    from .tasks import report_generate as task

    try:
        task.delay(report_id)
    except Exception as error:  # the broker is down: say so on the row, not with a 500
        logger.exception("Could not queue report %s", report_id)
        report = Report.objects.get(pk=report_id)
        _failed(report, _("Could not be queued: %(error)s") % {"error": error})


# --- writing -------------------------------------------------------------------------------


def report_generate(report_id: int) -> Report | None:
    """Write the files of a queued report; one already done, or being written by a live
    worker, is left as it is (so a task delivered twice writes once)."""
    report = _claim(report_id)
    if report is None:
        return Report.objects.filter(pk=report_id).first()
    try:
        _files_write(report)
    except Exception as error:
        logger.exception("Report %s failed", report.pk)
        _failed(report, error)
    return report


def _claim(report_id: int) -> Report | None:
    """The report, marked running, unless it is done or a live worker is writing it (one
    that started less than the broker's visibility timeout ago; after it, the task is handed
    out again anyway, so its worker is taken for lost)."""
    lost_before = timezone.now() - timedelta(
        seconds=settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    )
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.status == ReportStatus.DONE:
            return None
        if report.status == ReportStatus.RUNNING and report.started_at and report.started_at > lost_before:
            return None
        report.status, report.started_at, report.error = ReportStatus.RUNNING, timezone.now(), ""
        report.save(update_fields=["status", "started_at", "error"])
    return report


def _failed(report: Report, error) -> None:
    report.status, report.error, report.finished_at = ReportStatus.FAILED, str(error)[:4000], timezone.now()
    report.save(update_fields=["status", "error", "finished_at"])


def _files_write(report: Report) -> None:
    if report.company_slug and report.company_id is None:
        raise ApplicationError(_("The company %(slug)s no longer exists.") % {"slug": report.company_slug})
    storage = report_storage()
    with translation.override(report.language), tempfile.TemporaryDirectory(prefix="triboka-report-") as work:
        table = report_table(TableQuery(report.kind, report.start, report.end, report.company_id))
        heading = report_heading(report)
        files = {}
        for fmt in report.formats:
            path = Path(work) / file_name(report, fmt)
            file_write(fmt, table, heading, path)
            name = f"{report.pk}/{path.name}"
            if storage.exists(name):  # written before by a lost worker
                storage.delete(name)
            with path.open("rb") as content:
                saved = storage.save(name, File(content, name=name))
            files[fmt] = {"name": saved, "size": path.stat().st_size}
    report.files, report.rows = files, len(table.rows)
    report.status, report.finished_at = ReportStatus.DONE, timezone.now()
    report.save(update_fields=["files", "rows", "status", "finished_at"])


def file_name(report: Report, fmt: str) -> str:
    company = f"-{report.company_slug}" if report.company_slug else ""
    return f"{report.kind}{company}-{report.start:%Y-%m-%d}-{report.end:%Y-%m-%d}.{fmt}"


def report_heading(report: Report) -> Heading:
    """Title and lines of the report, in the active language."""
    period = _("Period: %(start)s to %(end)s") % {
        "start": formats.date_format(report.start, "SHORT_DATE_FORMAT"),
        "end": formats.date_format(report.end, "SHORT_DATE_FORMAT"),
    }
    if report.company is not None:
        company = _("Company: %(name)s (%(slug)s)") % {
            "name": report.company.name,
            "slug": report.company.slug,
        }
    else:
        company = _("Every company")
    generated = _("Generated at %(moment)s") % {
        "moment": formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")
    }
    return Heading(title=str(report.get_kind_display()), lines=[period, company, generated])


# --- reading -------------------------------------------------------------------------------


def report_file_check(report: Report, fmt: str) -> str:
    """The storage name of the report's file in ``fmt``: 400 for an unknown format, 404
    while the report is not written or was not asked in that format."""
    if fmt not in ReportFormat.values:
        raise ValidationError(
            {"format": _("Choose among: %(formats)s.") % {"formats": ", ".join(ReportFormat.values)}}
        )
    if report.status != ReportStatus.DONE:
        raise ApplicationError(
            _("The report is not ready (%(status)s).") % {"status": report.get_status_display()},
            code="not_ready",
            status_code=404,
        )
    if fmt not in report.files:
        raise ApplicationError(
            _("This report was not written as %(format)s.") % {"format": fmt.upper()},
            code="no_such_format",
            status_code=404,
        )
    return report.files[fmt]["name"]


def report_file_open(report: Report, fmt: str):
    """(open file, download name, content type) of the report's file in ``fmt``."""
    name = report_file_check(report, fmt)
    return report_storage().open(name, "rb"), Path(name).name, CONTENT_TYPES[fmt]


def report_file_link(report: Report, fmt: str) -> str:
    """A link to the file that works without signing in, for REPORTS_LINK_DAYS days (for
    e-mails too large to carry the files)."""
    token = signing.dumps({"report": report.pk, "format": fmt}, salt=LINK_SALT, compress=True)
    return company_url(
        settings.BASE_DOMAIN, reverse("report-file-link", args=[token], urlconf="triboka.urls_public")
    )


def report_from_link(token: str) -> tuple[Report, str]:
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=timedelta(days=settings.REPORTS_LINK_DAYS))
    except signing.BadSignature as error:  # expired links too
        raise ApplicationError(
            _("This link is not valid or has expired."), code="link", status_code=404
        ) from error
    report = Report.objects.filter(pk=data.get("report")).first()
    if report is None:
        raise ApplicationError(_("This report no longer exists."), code="gone", status_code=404)
    return report, data.get("format", "")


def report_delete(*, report: Report) -> None:
    """The report's row and files."""
    storage = report_storage()
    for entry in report.files.values():
        if storage.exists(entry["name"]):
            storage.delete(entry["name"])
    report.delete()


# --- e-mail --------------------------------------------------------------------------------


def report_email(*, report: Report, recipients: list[str]) -> Report:
    """E-mail the report's files (attached, or as links when together they pass
    REPORTS_EMAIL_ATTACH_MAX_BYTES) once: the row is marked in the transaction that sends, so
    a refused e-mail is tried again by the next run and a sent one is never sent twice."""
    with transaction.atomic():
        report = Report.objects.select_for_update(of=("self",)).select_related("company").get(pk=report.pk)
        if report.emailed_at is not None or report.status != ReportStatus.DONE:
            return report
        _email_message(report, recipients).send()
        report.emailed_to, report.emailed_at = list(recipients), timezone.now()
        report.save(update_fields=["emailed_to", "emailed_at"])
    return report


def _email_message(report: Report, recipients: list[str]) -> mail.EmailMessage:
    size = sum(entry["size"] for entry in report.files.values())
    attach = size <= settings.REPORTS_EMAIL_ATTACH_MAX_BYTES
    with translation.override(report.language):
        heading = report_heading(report)
        links = {} if attach else {fmt: report_file_link(report, fmt) for fmt in report.files}
        context = {
            "heading": heading,
            "report": report,
            "schedule": report.schedule,
            "links": links,
            "link_days": settings.REPORTS_LINK_DAYS,
        }
        subject = _("Triboka report: %(title)s, %(start)s to %(end)s") % {
            "title": heading.title,
            "start": formats.date_format(report.start, "SHORT_DATE_FORMAT"),
            "end": formats.date_format(report.end, "SHORT_DATE_FORMAT"),
        }
        message = mail.EmailMessage(
            subject=subject, body=render_to_string("reports/email/report.txt", context), to=recipients
        )
    if attach:
        storage = report_storage()
        for fmt, entry in report.files.items():
            with storage.open(entry["name"], "rb") as content:
                # the e-mail sets the charset of a text part itself
                message.attach(Path(entry["name"]).name, content.read(), CONTENT_TYPES[fmt].split(";")[0])
    return message


# --- schedules -----------------------------------------------------------------------------


def period_dates(period: str, today: date) -> tuple[date, date]:
    """The first and last day of the period before ``today``."""
    if period == ReportPeriod.PREVIOUS_DAY:
        day = today - timedelta(days=1)
        return day, day
    if period == ReportPeriod.PREVIOUS_WEEK:
        monday = today - timedelta(days=today.weekday() + 7)
        return monday, monday + timedelta(days=6)
    if period == ReportPeriod.PREVIOUS_MONTH:
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if period == ReportPeriod.PREVIOUS_YEAR:
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    raise ValueError(f"unknown period {period!r}")


def _schedule_saved(schedule: ReportSchedule) -> ReportSchedule:
    schedule.crontab = " ".join(schedule.crontab.split())
    schedule.full_clean(exclude=["periodic_task"])
    schedule.save()
    _periodic_task_sync(schedule)
    return schedule


@transaction.atomic
def schedule_create(*, created_by: str = "", **fields) -> ReportSchedule:
    unknown = set(fields) - set(SCHEDULE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be set.") for field in unknown})
    return _schedule_saved(ReportSchedule(created_by=created_by, **fields))


@transaction.atomic
def schedule_update(*, schedule: ReportSchedule, **changes) -> ReportSchedule:
    unknown = set(changes) - set(SCHEDULE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    for field, value in changes.items():
        setattr(schedule, field, value)
    return _schedule_saved(schedule)


@transaction.atomic
def schedule_delete(*, schedule: ReportSchedule) -> None:
    """The schedule and its beat task; the reports it made stay."""
    task_id = schedule.periodic_task_id
    schedule.delete()
    if task_id:
        PeriodicTask.objects.filter(pk=task_id).delete()


def _periodic_task_sync(schedule: ReportSchedule) -> None:
    """The schedule's beat task, created or brought in line with it (saved one by one, so
    django-celery-beat notices the change)."""
    minute, hour, day_of_month, month_of_year, day_of_week = schedule.crontab.split()
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month_of_year=month_of_year,
        day_of_week=day_of_week,
        timezone=settings.CELERY_TIMEZONE,
    )
    task = schedule.periodic_task or PeriodicTask()
    task.name = f"Report: {schedule.name} (#{schedule.pk})"[:200]
    task.task = SCHEDULE_TASK
    task.crontab, task.interval = crontab, None
    task.args = json.dumps([schedule.pk])
    task.kwargs = "{}"
    task.enabled = schedule.enabled
    task.description = (
        f"{schedule.kind}, {schedule.period}, {schedule.company.slug if schedule.company else '*'}"
    )
    task.save()
    if schedule.periodic_task_id != task.pk:
        schedule.periodic_task = task
        schedule.save(update_fields=["periodic_task"])


def schedule_run(*, schedule_id: int, today: date | None = None, force: bool = False) -> Report | None:
    """The report of the period before ``today``, written and e-mailed to the recipients.

    One report per schedule and period: a second run for the same period (beat firing
    more often than the period, a task delivered twice) sends nothing more unless
    ``force`` (staff's "run now"), which writes and sends a new one. A schedule deleted
    behind its task's back (its company was deleted) takes its beat task with it.
    """
    schedule = ReportSchedule.objects.select_related("company").filter(pk=schedule_id).first()
    if schedule is None:
        PeriodicTask.objects.filter(task=SCHEDULE_TASK, args=json.dumps([schedule_id])).delete()
        return None
    if not schedule.enabled and not force:
        return None
    start, end = period_dates(schedule.period, today or timezone.localdate())
    with transaction.atomic():
        ReportSchedule.objects.select_for_update().filter(pk=schedule.pk).first()  # one run at a time
        report = None if force else schedule.reports.filter(start=start, end=end).order_by("-pk").first()
        if report is not None and report.emailed_at is not None:
            return report
        if report is None or report.status == ReportStatus.FAILED:
            report = report_request(
                kind=schedule.kind,
                start=start,
                end=end,
                company=schedule.company,
                formats=schedule.formats,
                language=schedule.language,
                requested_by=_("Schedule %(name)s") % {"name": schedule.name},
                schedule=schedule,
            )
    report = report_generate(report.pk)
    if report is not None and report.status == ReportStatus.DONE:
        report = report_email(report=report, recipients=schedule.recipients)
    return report


def schedule_run_queue(*, schedule: ReportSchedule) -> None:
    """Staff's "run now": a new report of the schedule's last period, written and e-mailed
    by a worker."""
    from .tasks import report_schedule_run

    transaction.on_commit(lambda: report_schedule_run.delay(schedule.pk, force=True))
