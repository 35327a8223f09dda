"""Reading API consumption: per company, per endpoint or per day, against the license limits.

Everything here reads the flushed tables (at most FLUSH_AFTER_MINUTES + 1 behind Redis).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from master.licensing.models import License

from .models import LATENCY_BOUNDS_MS, CompanyUsageDaily, EndpointUsageDaily

# What a percentile in the last (unbounded) bucket is reported as.
OVERFLOW_LATENCY_MS = 2 * LATENCY_BOUNDS_MS[-1]
GROUPINGS = ("company", "endpoint", "day")


def histogram_sums(prefix: str = "") -> dict:
    """Sum(...) of each histogram bucket (PostgreSQL arrays are 1-based; Django's index
    transform is 0-based)."""
    return {f"h{i}": Sum(f"{prefix}latency_histogram__{i}") for i in range(len(LATENCY_BOUNDS_MS) + 1)}


def percentile_ms(histogram: list[int], share: float = 0.95) -> int | None:
    """The upper bound of the bucket holding the given share of requests."""
    total = sum(histogram)
    if not total:
        return None
    needed, seen = share * total, 0
    for index, count in enumerate(histogram):
        seen += count
        if seen >= needed:
            return LATENCY_BOUNDS_MS[index] if index < len(LATENCY_BOUNDS_MS) else OVERFLOW_LATENCY_MS
    return OVERFLOW_LATENCY_MS


def _figures(row: dict) -> dict:
    histogram = [row.pop(f"h{i}") or 0 for i in range(len(LATENCY_BOUNDS_MS) + 1)]
    requests = row.get("requests") or 0
    row["avg_latency_ms"] = round(row.pop("latency_ms_sum") / requests, 1) if requests else None
    row["p95_latency_ms"] = percentile_ms(histogram)
    return row


def licenses_in_force(company_ids, today: date) -> dict[int, License]:
    """Each company's newest started license, in one query."""
    rows = (
        License.objects.filter(company_id__in=company_ids, starts_on__lte=today)
        .order_by("company_id", "-starts_on", "-pk")
        .distinct("company_id")
    )
    return {license.company_id: license for license in rows}


@dataclass(frozen=True)
class ConsumptionQuery:
    start: date
    end: date
    group_by: str = "company"
    company_id: int | None = None


def consumption(query: ConsumptionQuery) -> dict:
    model = EndpointUsageDaily if query.group_by == "endpoint" else CompanyUsageDaily
    rows = model.objects.filter(day__gte=query.start, day__lte=query.end)
    if query.company_id is not None:
        rows = rows.filter(company_id=query.company_id)
    keys = {
        "company": ["company_id", "company__slug", "company__name"],
        "endpoint": ["method", "route"],
        "day": ["day"],
    }[query.group_by]
    # the error sums come first: once annotated, "requests" names the sum, not the column
    if query.group_by == "endpoint":
        sums = {
            "client_errors": Coalesce(Sum("requests", filter=Q(status_class=4)), 0),
            "server_errors": Coalesce(Sum("requests", filter=Q(status_class=5)), 0),
        }
    else:
        sums = {"client_errors": Sum("client_errors"), "server_errors": Sum("server_errors")}
    sums |= {
        "requests": Sum("requests"),
        "bytes_out": Sum("bytes_out"),
        "latency_ms_sum": Sum("latency_ms_sum"),
    }
    results = [
        _figures(row)
        for row in rows.values(*keys).annotate(**sums, **histogram_sums()).order_by(*_order(query.group_by))
    ]
    if query.group_by == "company":
        _add_limits(results)
    return {"results": results, "totals": _totals(results)}


def _order(group_by: str) -> list:
    if group_by == "day":
        return ["day"]
    return [F("requests").desc(nulls_last=True), *(["company__slug"] if group_by == "company" else ["route"])]


def _add_limits(results: list[dict]) -> None:
    """This month's calls against each company's monthly limit."""
    today = timezone.localdate()
    ids = [row["company_id"] for row in results]
    licenses = licenses_in_force(ids, today)
    month = dict(
        CompanyUsageDaily.objects.filter(company_id__in=ids, day__gte=today.replace(day=1), day__lte=today)
        .values("company_id")
        .annotate(total=Sum("requests"))
        .values_list("company_id", "total")
    )
    for row in results:
        company_id = row.pop("company_id")
        row["company"] = row.pop("company__slug")
        row["company_name"] = row.pop("company__name")
        license = licenses.get(company_id)
        limit = license.max_api_calls_month if license else None
        used = month.get(company_id, 0)
        row["calls_this_month"] = used
        row["monthly_limit"] = limit
        row["limit_used_percent"] = round(100 * used / limit, 1) if limit else None


def _totals(results: list[dict]) -> dict:
    fields = ("requests", "bytes_out", "client_errors", "server_errors")
    return {field: sum(row.get(field) or 0 for row in results) for field in fields}
