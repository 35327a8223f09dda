"""The master dashboard's figures, read from the public schema's pre-aggregated tables only:
companies and licenses, API consumption by day (master.metering), company figures
(CompanyFacts, refreshed hourly), invoices (master.billing), backups and instances.
No request visits a company schema; bench/master_dashboard.py measures it with 1,000
companies and a year of consumption.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from master.backups.models import Backup, BackupStatus
from master.companies.models import Company, CompanyStatus, UserDirectoryEntry
from master.licensing.models import LicenseStatus
from master.metering.models import HISTOGRAM_SIZE, CompanyUsageDaily
from master.metering.selectors import histogram_sums, licenses_in_force, percentile_ms

from .models import CompanyFacts

MB = 1024 * 1024
EXPIRING_DAYS = 30
ERROR_RATE_WARNING = 5.0  # % of 5xx answers
P95_WARNING_MS = 1000
BACKUP_MAX_AGE = timedelta(hours=48)
LIMIT_WARNING_SHARE = 0.9
IOT_ROWS = 20  # companies in the dashboard's IoT table


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @classmethod
    def last_days(cls, days: int, today: date | None = None) -> "Period":
        today = today or timezone.localdate()
        return cls(start=today - timedelta(days=days - 1), end=today)


def _histogram(row: dict) -> list[int]:
    return [row.get(f"h{i}") or 0 for i in range(HISTOGRAM_SIZE)]


def _percent(part, whole, digits=2):
    return round(100 * part / whole, digits) if whole else None


def api_series(period: Period) -> list[dict]:
    """Calls, errors and error rate for each day of the period (days without calls: zeros)."""
    rows = {
        row["day"]: row
        for row in CompanyUsageDaily.objects.filter(day__gte=period.start, day__lte=period.end)
        .values("day")
        .annotate(calls=Sum("requests"), errors=Sum("server_errors"), client=Sum("client_errors"))
    }
    series, day = [], period.start
    while day <= period.end:
        row = rows.get(day, {})
        calls = row.get("calls") or 0
        series.append(
            {
                "day": day,
                "calls": calls,
                "server_errors": row.get("errors") or 0,
                "client_errors": row.get("client") or 0,
                "error_rate": _percent(row.get("errors") or 0, calls),
            }
        )
        day += timedelta(days=1)
    return series


def company_usage(period: Period) -> dict[int, dict]:
    """Per company over the period: calls, errors, bytes, p95 and availability (share of
    answers that were not server errors)."""
    rows = (
        CompanyUsageDaily.objects.filter(day__gte=period.start, day__lte=period.end)
        .values("company_id")
        .annotate(
            calls=Sum("requests"),
            server=Sum("server_errors"),
            client=Sum("client_errors"),
            sent=Sum("bytes_out"),
            **histogram_sums(),
        )
    )
    usage = {}
    for row in rows:
        calls = row["calls"] or 0
        usage[row["company_id"]] = {
            "calls": calls,
            "server_errors": row["server"] or 0,
            "client_errors": row["client"] or 0,
            "bytes_out": row["sent"] or 0,
            "error_rate": _percent(row["server"] or 0, calls),
            "availability": round(100 - _percent(row["server"] or 0, calls), 2) if calls else None,
            "p95_latency_ms": percentile_ms(_histogram(row)),
            "latency_histogram": _histogram(row),
        }
    return usage


def month_calls(today: date) -> dict[int, int]:
    return dict(
        CompanyUsageDaily.objects.filter(day__gte=today.replace(day=1), day__lte=today)
        .values("company_id")
        .annotate(total=Sum("requests"))
        .values_list("company_id", "total")
    )


def latest_backups() -> dict[int, Backup]:
    """Each company's newest finished backup."""
    rows = (
        Backup.objects.filter(status=BackupStatus.DONE)
        .order_by("company_id", "-finished_at")
        .distinct("company_id")
    )
    return {backup.company_id: backup for backup in rows}


def companies_table(period: Period) -> list[dict]:
    """One row per company: status, license, users, storage, consumption and health."""
    today = period.end
    companies = list(Company.objects.order_by("name"))
    ids = [company.pk for company in companies]
    licenses = licenses_in_force(ids, today)
    usage = company_usage(period)
    month = month_calls(today)
    facts = {facts.company_id: facts for facts in CompanyFacts.objects.all()}
    users = dict(
        UserDirectoryEntry.objects.filter(is_active=True)
        .values("company_id")
        .annotate(total=Count("pk"))
        .values_list("company_id", "total")
    )
    backups = latest_backups()
    rows = []
    for company in companies:
        license = licenses.get(company.pk)
        company_facts = facts.get(company.pk)
        row = {
            "company": company.slug,
            "name": company.name,
            "status": company.status,
            "license": _license_summary(license),
            "users": users.get(company.pk, 0),
            "storage_bytes": company_facts.storage_bytes if company_facts else None,
            "calls_this_month": month.get(company.pk, 0),
            "usage": usage.get(company.pk),
            "last_backup": _backup_summary(backups.get(company.pk)),
            "iot": _iot_summary(company_facts, today),
        }
        row["problems"] = company_problems(company, license, row, today)
        row["health"] = _health(row["problems"])
        rows.append(row)
    return rows


def _license_summary(license) -> dict | None:
    if license is None:
        return None
    return {
        "code": license.code,
        "type": license.type,
        "status": license.status,
        "expires_on": license.expires_on,
        "max_users": license.max_users,
        "max_storage_mb": license.max_storage_mb,
        "max_api_calls_month": license.max_api_calls_month,
    }


def _iot_summary(facts, today: date) -> dict | None:
    """The company's IoT figures as of the last hourly refresh (None before the first); the
    day's counts only when that refresh was today."""
    if facts is None:
        return None
    of_today = timezone.localdate(facts.refreshed_at) == today
    return {
        "devices": facts.iot_devices,
        "readings_today": facts.iot_readings_today if of_today else None,
        "errors_today": facts.iot_errors_today if of_today else None,
        "last_reading_at": facts.iot_last_reading_at,
        "refreshed_at": facts.refreshed_at,
    }


def iot_overview(table: list[dict], rows: int = IOT_ROWS) -> dict:
    """The platform's IoT figures and the companies with devices, those with errors first."""
    with_devices = [
        row for row in table if row["iot"] and (row["iot"]["devices"] or row["iot"]["last_reading_at"])
    ]
    with_devices.sort(
        key=lambda row: (
            -(row["iot"]["errors_today"] or 0),
            -(row["iot"]["readings_today"] or 0),
            row["name"],
        )
    )
    return {
        "companies": len(with_devices),
        "devices": sum(row["iot"]["devices"] for row in with_devices),
        "readings_today": sum(row["iot"]["readings_today"] or 0 for row in with_devices),
        "errors_today": sum(row["iot"]["errors_today"] or 0 for row in with_devices),
        "rows": [
            {"company": row["company"], "name": row["name"], **row["iot"]} for row in with_devices[:rows]
        ],
        "more": max(0, len(with_devices) - rows),
    }


def _backup_summary(backup) -> dict | None:
    if backup is None:
        return None
    return {"finished_at": backup.finished_at, "size": backup.size}


def company_problems(company, license, row: dict, today: date) -> list[dict]:
    """What needs the operator's attention, each with a level (warning/critical)."""
    problems = []

    def add(level, code, message):
        problems.append({"level": level, "code": code, "message": message})

    if company.status == CompanyStatus.SUSPENDED:
        add("warning", "suspended", _("Company suspended."))
        return problems
    if license is None:
        add("critical", "no_license", _("No license in force."))
    else:
        if license.status == LicenseStatus.SUSPENDED:
            add("critical", "license_suspended", _("License suspended."))
        if license.expires_on and license.expires_on < today:
            add("critical", "license_expired", _("License expired on %(day)s.") % {"day": license.expires_on})
        elif license.expires_on and license.expires_on <= today + timedelta(days=EXPIRING_DAYS):
            add("warning", "license_expiring", _("License expires on %(day)s.") % {"day": license.expires_on})
        _limit_problems(license, row, add)
    usage = row["usage"]
    if usage and usage["error_rate"] and usage["error_rate"] >= ERROR_RATE_WARNING:
        add(
            "critical",
            "server_errors",
            _("%(rate)s%% of API answers were server errors.") % {"rate": usage["error_rate"]},
        )
    if usage and usage["p95_latency_ms"] and usage["p95_latency_ms"] > P95_WARNING_MS:
        add("warning", "slow", _("p95 latency above %(ms)s ms.") % {"ms": P95_WARNING_MS})
    backup = row["last_backup"]
    if backup is None:
        add("warning", "backup", _("No backup yet."))
    elif timezone.now() - backup["finished_at"] > BACKUP_MAX_AGE:
        add("warning", "backup_old", _("The last backup is more than two days old."))
    return problems


def _limit_problems(license, row, add) -> None:
    checks = [
        (license.max_users, row["users"], "users", _("Users: %(used)s of %(limit)s.")),
        (
            license.max_api_calls_month,
            row["calls_this_month"],
            "api_calls",
            _("API calls this month: %(used)s of %(limit)s."),
        ),
        (
            license.max_storage_mb,
            (row["storage_bytes"] or 0) / MB,
            "storage",
            _("Storage: %(used)s of %(limit)s MB."),
        ),
    ]
    for limit, used, code, message in checks:
        if limit is None or used < LIMIT_WARNING_SHARE * limit:
            continue
        level = "critical" if used >= limit else "warning"
        add(level, f"limit_{code}", message % {"used": round(used, 1), "limit": limit})


def _health(problems: list[dict]) -> str:
    levels = {problem["level"] for problem in problems}
    return "critical" if "critical" in levels else "warning" if levels else "ok"


def revenue(months: int = 12, today: date | None = None) -> dict:
    """Invoiced, paid and pending (USD) by month of issue, and the totals."""
    from master.billing.models import Invoice, InvoiceStatus

    today = today or timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1)
    billable = Invoice.objects.exclude(status=InvoiceStatus.VOID)
    rows = (
        billable.filter(issued_on__gte=first)
        .annotate(month=TruncMonth("issued_on"))
        .values("month")
        .annotate(invoiced=Sum("total_usd"), paid=Sum("paid_usd"))
        .order_by("month")
    )
    by_month = [
        {
            "month": row["month"],
            "invoiced": row["invoiced"],
            "paid": row["paid"],
            "pending": row["invoiced"] - row["paid"],
        }
        for row in rows
    ]
    totals = billable.aggregate(invoiced=Sum("total_usd"), paid=Sum("paid_usd"))
    invoiced, paid = totals["invoiced"] or 0, totals["paid"] or 0
    overdue = billable.filter(~Q(status=InvoiceStatus.PAID), due_on__lt=today).aggregate(
        total=Sum("total_usd"), paid=Sum("paid_usd")
    )
    return {
        "by_month": by_month,
        "invoiced": invoiced,
        "paid": paid,
        "pending": invoiced - paid,
        "overdue": (overdue["total"] or 0) - (overdue["paid"] or 0),
    }


def instances_summary() -> dict:
    from master.instances.models import Instance

    instances = list(Instance.objects.filter(is_active=True))
    stale = [instance for instance in instances if instance.is_stale()]
    unhealthy = [instance for instance in instances if instance.reported_healthy is False]
    return {
        "total": len(instances),
        "stale": [instance.name for instance in stale],
        "unhealthy": [instance.name for instance in unhealthy],
    }


def dashboard(days: int = 30, today: date | None = None) -> dict:
    period = Period.last_days(days, today)
    table = companies_table(period)
    statuses = Counter(row["status"] for row in table)
    license_types = Counter(row["license"]["type"] for row in table if row["license"])
    expiring = [
        row["company"]
        for row in table
        if row["license"]
        and row["license"]["expires_on"]
        and period.end <= row["license"]["expires_on"] <= period.end + timedelta(days=EXPIRING_DAYS)
    ]
    series = api_series(period)
    calls = sum(day["calls"] for day in series)
    errors = sum(day["server_errors"] for day in series)
    platform_histogram = [0] * HISTOGRAM_SIZE
    for row in table:
        if row["usage"]:
            platform_histogram = [
                a + b for a, b in zip(platform_histogram, row["usage"]["latency_histogram"], strict=True)
            ]
    instances = instances_summary()
    return {
        "period": {"start": period.start, "end": period.end},
        "companies": {
            "total": len(table),
            "active": statuses.get(CompanyStatus.ACTIVE, 0),
            "suspended": statuses.get(CompanyStatus.SUSPENDED, 0),
            "expiring": len(expiring),
            "by_health": dict(Counter(row["health"] for row in table)),
        },
        "licenses_by_type": dict(sorted(license_types.items())),
        "api": {
            "calls": calls,
            "server_errors": errors,
            "error_rate": _percent(errors, calls),
            "p95_latency_ms": percentile_ms(platform_histogram),
            "by_day": series,
        },
        "revenue": revenue(today=period.end),
        "storage": {
            "used_bytes": sum(row["storage_bytes"] or 0 for row in table),
            "largest": sorted(
                (
                    {"company": row["company"], "bytes": row["storage_bytes"]}
                    for row in table
                    if row["storage_bytes"]
                ),
                key=lambda item: -item["bytes"],
            )[:5],
        },
        "instances": instances,
        "iot": iot_overview(table),
        "alerts": alerts(table, instances),
    }


def alerts(table: list[dict], instances: dict) -> list[dict]:
    found = [{**problem, "company": row["company"]} for row in table for problem in row["problems"]]
    for name in instances["stale"]:
        found.append(
            {
                "level": "warning",
                "code": "instance_stale",
                "company": None,
                "message": _("Instance %(name)s stopped sending heartbeats.") % {"name": name},
            }
        )
    for name in instances["unhealthy"]:
        found.append(
            {
                "level": "critical",
                "code": "instance_unhealthy",
                "company": None,
                "message": _("Instance %(name)s reports a failing health check.") % {"name": name},
            }
        )
    return sorted(found, key=lambda alert: (alert["level"] != "critical", alert["company"] or ""))
