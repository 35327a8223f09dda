"""Support figures for the master dashboard, its API and the support report.

Tickets live in the public schema, so every figure is a grouped SQL query over them (medians
and p90 with PostgreSQL's ``percentile_cont``), never a query per company. A ticket merged
into another is a duplicate and counts once, as the ticket it was merged into.

What each figure covers:
- open tickets, and open tickets past an SLA target: now;
- tickets opened, by category, module and company, and their SLA breaches: tickets opened
  in the period (a breach is the first response or the resolution later than its due time,
  or still missing past it);
- first-response time: tickets first answered in the period; resolution time: tickets
  resolved in the period (both from the ticket's creation, in hours of the clock);
- CSAT: answers given in the period (and by month over the last months), the share of 4
  and 5 among them and the mean rating.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Aggregate, Avg, Count, DurationField, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from master.companies.models import Company
from support.tickets.models import OPEN_STATUSES, SatisfactionResponse, Ticket, TicketCategory, TicketPriority

TOP_COMPANIES = 10
SATISFIED = 4  # ratings from 4 up count as satisfied


class Percentile(Aggregate):
    """PostgreSQL's ``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)``: the
    continuous percentile (interpolated between the two nearest values)."""

    function = "percentile_cont"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=float(fraction), **extra)


@dataclass(frozen=True)
class Window:
    """A period of local days as the aware datetimes [start, end) that bound it."""

    start: datetime
    end: datetime

    @classmethod
    def of_days(cls, first: date, last: date) -> "Window":
        zone = timezone.get_current_timezone()
        return cls(
            start=timezone.make_aware(datetime.combine(first, time.min), zone),
            end=timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), zone),
        )

    def q(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})


def tickets() -> QuerySet:
    """Every ticket but merged duplicates."""
    return Ticket.objects.filter(merged_into__isnull=True)


def _hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 2)


def _time_aggregates(window: Window) -> dict:
    """Median and p90 of first-response and resolution times, and how many tickets each
    covers: one pass (each aggregate filtered to the tickets of its event in the period)."""
    responded = window.q("first_response_at")
    resolved = window.q("resolved_at")
    first = F("first_response_at") - F("created_at")
    resolution = F("resolved_at") - F("created_at")
    duration = DurationField()
    return {
        "first_count": Count("pk", filter=responded),
        "first_median": Percentile(first, 0.5, filter=responded, output_field=duration),
        "first_p90": Percentile(first, 0.9, filter=responded, output_field=duration),
        "resolution_count": Count("pk", filter=resolved),
        "resolution_median": Percentile(resolution, 0.5, filter=resolved, output_field=duration),
        "resolution_p90": Percentile(resolution, 0.9, filter=resolved, output_field=duration),
    }


def _times(row: dict) -> dict:
    return {
        "first_response_hours": {
            "tickets": row["first_count"],
            "median": _hours(row["first_median"]),
            "p90": _hours(row["first_p90"]),
        },
        "resolution_hours": {
            "tickets": row["resolution_count"],
            "median": _hours(row["resolution_median"]),
            "p90": _hours(row["resolution_p90"]),
        },
    }


def response_times(window: Window) -> dict:
    rows = tickets().filter(window.q("first_response_at") | window.q("resolved_at"))
    return _times(rows.aggregate(**_time_aggregates(window)))


def _csat(answers: int, satisfied: int, mean) -> dict:
    return {
        "answers": answers,
        "satisfied": satisfied,
        "csat": round(100 * satisfied / answers, 1) if answers else None,
        "mean_rating": round(float(mean), 2) if mean is not None else None,
    }


CSAT_AGGREGATES = {
    "answers": Count("pk"),
    "satisfied": Count("pk", filter=Q(rating__gte=SATISFIED)),
    "mean": Avg("rating"),
}


def csat_by_month(first_month: date, last: date) -> list[dict]:
    """Each month from ``first_month`` to the month of ``last`` (local time), those without
    answers included (CSAT None)."""
    rows = (
        SatisfactionResponse.objects.filter(Window.of_days(first_month, last).q("answered_at"))
        .annotate(month=TruncMonth("answered_at"))
        .values("month")
        .annotate(**CSAT_AGGREGATES)
    )
    found = {timezone.localdate(row["month"]): row for row in rows}
    months, month = [], first_month
    while month <= last:
        row = found.get(month, {"answers": 0, "satisfied": 0, "mean": None})
        months.append({"month": month, **_csat(row["answers"], row["satisfied"], row["mean"])})
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _first_month(last: date, months: int) -> date:
    year, month = divmod(last.year * 12 + last.month - 1 - (months - 1), 12)
    return date(year, month + 1, 1)


def breaches(opened: QuerySet, now: datetime) -> dict:
    return {
        "first_response": opened.first_response_breached(now).count(),
        "resolution": opened.resolution_breached(now).count(),
        "any": opened.sla_breached(now).count(),
    }


def _per_company(rows: QuerySet, field: str = "company_id") -> dict[int, int]:
    return dict(rows.values(field).annotate(total=Count("pk")).values_list(field, "total"))


def open_now(now: datetime, rows: int = TOP_COMPANIES) -> dict:
    """Open tickets by priority, and the companies with most open tickets with theirs by
    priority and how many are past an SLA target."""
    still_open = tickets().still_open()
    late = _per_company(still_open.sla_breached(now))
    grouped = still_open.values("company_id", "company__slug", "company__name", "priority").annotate(
        total=Count("pk")
    )
    by_priority = dict.fromkeys(TicketPriority.values, 0)
    companies: dict[int, dict] = {}
    for row in grouped:
        by_priority[row["priority"]] += row["total"]
        company = companies.setdefault(
            row["company_id"],
            {
                "company": row["company__slug"],
                "name": row["company__name"],
                "total": 0,
                "breached": late.get(row["company_id"], 0),
                "by_priority": dict.fromkeys(TicketPriority.values, 0),
            },
        )
        company["total"] += row["total"]
        company["by_priority"][row["priority"]] += row["total"]
    ranked = sorted(companies.values(), key=lambda item: (-item["total"], -item["breached"], item["company"]))
    return {
        "total": sum(by_priority.values()),
        "breached": sum(late.values()),
        "by_priority": by_priority,
        "companies": ranked[:rows],
        "more_companies": max(0, len(ranked) - rows),
    }


def opened_in(window: Window, now: datetime, rows: int = TOP_COMPANIES) -> dict:
    """Tickets opened in the period by category and module, their breaches, and the
    companies that opened most."""
    opened = tickets().filter(window.q("created_at"))
    by_category: dict[str, int] = {}
    by_module: dict[str, int] = {}
    for row in opened.values("category", "module").annotate(total=Count("pk")):
        by_category[row["category"]] = by_category.get(row["category"], 0) + row["total"]
        by_module[row["module"]] = by_module.get(row["module"], 0) + row["total"]
    top = list(
        opened.values("company_id", "company__slug", "company__name")
        .annotate(
            total=Count("pk"),
            urgent=Count("pk", filter=Q(priority__in=[TicketPriority.URGENT, TicketPriority.HIGH])),
            bugs=Count("pk", filter=Q(category=TicketCategory.BUG)),
        )
        .order_by("-total", "company__slug")[:rows]
    )
    late = _per_company(opened.filter(company_id__in=[row["company_id"] for row in top]).sla_breached(now))
    return {
        "total": sum(by_category.values()),
        "by_category": dict(sorted(by_category.items(), key=lambda item: (-item[1], item[0]))),
        "by_module": dict(sorted(by_module.items(), key=lambda item: (-item[1], item[0]))),
        "breaches": breaches(opened, now),
        "top_companies": [
            {
                "company": row["company__slug"],
                "name": row["company__name"],
                "tickets": row["total"],
                "urgent_or_high": row["urgent"],
                "bugs": row["bugs"],
                "breached": late.get(row["company_id"], 0),
            }
            for row in top
        ],
    }


def support_figures(*, first: date, last: date, months: int = 12, now: datetime | None = None) -> dict:
    """Every support figure of the dashboard, for the days ``first`` to ``last``."""
    now = now or timezone.now()
    window = Window.of_days(first, last)
    period_csat = SatisfactionResponse.objects.filter(window.q("answered_at")).aggregate(**CSAT_AGGREGATES)
    return {
        "period": {"start": first, "end": last},
        "open": open_now(now),
        "opened": opened_in(window, now),
        **response_times(window),
        "csat": _csat(period_csat["answers"], period_csat["satisfied"], period_csat["mean"]),
        "csat_by_month": csat_by_month(_first_month(last, months), last),
    }


NO_TIMES = {
    "first_count": 0,
    "first_median": None,
    "first_p90": None,
    "resolution_count": 0,
    "resolution_median": None,
    "resolution_p90": None,
}


def support_by_company(*, first: date, last: date, company_id: int | None = None, now=None) -> list[dict]:
    """One row per company with tickets or answers in the period (the support report):
    tickets opened, those still open, SLA breaches, response and resolution times, CSAT.
    Six grouped queries, whatever the number of companies; most tickets first."""
    now = now or timezone.now()
    window = Window.of_days(first, last)
    rows = tickets() if company_id is None else tickets().filter(company_id=company_id)
    opened = rows.filter(window.q("created_at"))
    counts = {
        row["company_id"]: row
        for row in opened.values("company_id").annotate(
            opened=Count("pk"),
            still_open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            urgent=Count("pk", filter=Q(priority=TicketPriority.URGENT)),
        )
    }
    first_late = _per_company(opened.first_response_breached(now))
    resolution_late = _per_company(opened.resolution_breached(now))
    times = {
        row["company_id"]: row
        for row in rows.filter(window.q("first_response_at") | window.q("resolved_at"))
        .values("company_id")
        .annotate(**_time_aggregates(window))
    }
    answers = SatisfactionResponse.objects.filter(window.q("answered_at"))
    if company_id is not None:
        answers = answers.filter(ticket__company_id=company_id)
    csat = {
        row["ticket__company_id"]: row
        for row in answers.values("ticket__company_id").annotate(**CSAT_AGGREGATES)
    }
    no_counts, no_csat = (
        {"opened": 0, "still_open": 0, "urgent": 0},
        {"answers": 0, "satisfied": 0, "mean": None},
    )
    result = []
    for company in Company.objects.filter(pk__in={*counts, *times, *csat}).only("slug", "name"):
        count, answered = counts.get(company.pk, no_counts), csat.get(company.pk, no_csat)
        result.append(
            {
                "company": company.slug,
                "name": company.name,
                "opened": count["opened"],
                "still_open": count["still_open"],
                "urgent": count["urgent"],
                "first_response_breached": first_late.get(company.pk, 0),
                "resolution_breached": resolution_late.get(company.pk, 0),
                **_times(times.get(company.pk, NO_TIMES)),
                "csat": _csat(answered["answers"], answered["satisfied"], answered["mean"]),
            }
        )
    return sorted(result, key=lambda row: (-row["opened"], row["company"]))
