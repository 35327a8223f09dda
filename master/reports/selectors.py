"""The rows of each kind of report, read once and written to every format (writers.py).

Everything here reads the public schema's pre-aggregated tables (API consumption per company
and day or per endpoint, the user directory, licenses, invoices) and support tickets (kept
there too): a report never visits a company's schema, whatever the number of companies.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from master.analytics.support import support_by_company
from master.companies.models import Company, UserDirectoryEntry
from master.licensing.models import License
from master.metering.models import CompanyUsageDaily
from master.metering.selectors import ConsumptionQuery, consumption, licenses_in_force, percentile_ms

from .models import ReportKind


class ColumnType:
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"  # a measure with decimals (latency)
    MONEY = "money"  # USD, Decimal with 2 places
    DATE = "date"
    MONTH = "month"  # a date, shown as its month


@dataclass(frozen=True)
class Column:
    label: str  # lazy: translated when written, in the report's language
    type: str = ColumnType.TEXT
    total: bool = False  # summed in the PDF's last row


@dataclass
class Table:
    columns: list[Column]
    rows: list[list] = field(default_factory=list)


@dataclass(frozen=True)
class TableQuery:
    kind: str
    start: date
    end: date
    company_id: int | None = None


def report_table(query: TableQuery) -> Table:
    builders: dict[str, Callable[[TableQuery], Table]] = {
        ReportKind.CONSUMPTION: _consumption,
        ReportKind.ENDPOINTS: _endpoints,
        ReportKind.COMPANIES: _companies,
        ReportKind.LICENSES: _licenses,
        ReportKind.REVENUE: _revenue,
        ReportKind.SUPPORT: _support,
    }
    return builders[query.kind](query)


def _for_company(rows, query: TableQuery, field_name: str = "company_id"):
    return rows if query.company_id is None else rows.filter(**{field_name: query.company_id})


# --- API consumption ---------------------------------------------------------------------

TRAFFIC_COLUMNS = [
    Column(gettext_lazy("Requests"), ColumnType.INTEGER, total=True),
    Column(gettext_lazy("4xx answers"), ColumnType.INTEGER, total=True),
    Column(gettext_lazy("5xx answers"), ColumnType.INTEGER, total=True),
    Column(gettext_lazy("Bytes sent"), ColumnType.INTEGER, total=True),
    Column(gettext_lazy("Average latency (ms)"), ColumnType.NUMBER),
    Column(gettext_lazy("p95 latency (ms)"), ColumnType.INTEGER),
]


def _consumption(query: TableQuery) -> Table:
    """One row per company and day with traffic (the CompanyUsageDaily rows themselves)."""
    days = _for_company(CompanyUsageDaily.objects.filter(day__gte=query.start, day__lte=query.end), query)
    table = Table(
        [
            Column(gettext_lazy("Subdomain")),
            Column(gettext_lazy("Company")),
            Column(gettext_lazy("Day"), ColumnType.DATE),
            *TRAFFIC_COLUMNS,
        ]
    )
    for day in days.select_related("company").order_by("company__slug", "day"):
        average = round(day.latency_ms_sum / day.requests, 1) if day.requests else None
        table.rows.append(
            [
                day.company.slug,
                day.company.name,
                day.day,
                day.requests,
                day.client_errors,
                day.server_errors,
                day.bytes_out,
                average,
                percentile_ms(day.latency_histogram),
            ]
        )
    return table


def _endpoints(query: TableQuery) -> Table:
    """One row per method and route over the period (one company's, or all companies' added)."""
    figures = consumption(
        ConsumptionQuery(start=query.start, end=query.end, group_by="endpoint", company_id=query.company_id)
    )
    table = Table([Column(gettext_lazy("Method")), Column(gettext_lazy("Endpoint")), *TRAFFIC_COLUMNS])
    for row in figures["results"]:
        table.rows.append(
            [
                row["method"],
                row["route"],
                row["requests"] or 0,
                row["client_errors"] or 0,
                row["server_errors"] or 0,
                row["bytes_out"] or 0,
                row["avg_latency_ms"],
                row["p95_latency_ms"],
            ]
        )
    return table


def _calls(company_ids, start: date, end: date) -> dict[int, int]:
    return dict(
        CompanyUsageDaily.objects.filter(company_id__in=company_ids, day__gte=start, day__lte=end)
        .values("company_id")
        .annotate(total=Sum("requests"))
        .values_list("company_id", "total")
    )


def _active_users(company_ids) -> dict[int, int]:
    return dict(
        UserDirectoryEntry.objects.filter(company_id__in=company_ids, is_active=True)
        .values("company_id")
        .annotate(total=Count("pk"))
        .values_list("company_id", "total")
    )


# --- companies and licenses ----------------------------------------------------------------


def _companies(query: TableQuery) -> Table:
    """Each company with its license in force on the last day, its users (from the public
    directory) and its API calls in the period."""
    companies = list(
        _for_company(Company.objects.all(), query, "pk")
        .annotate(
            users=Count("directory"), active_users=Count("directory", filter=Q(directory__is_active=True))
        )
        .order_by("slug")
    )
    ids = [company.pk for company in companies]
    licenses = licenses_in_force(ids, query.end)
    calls = _calls(ids, query.start, query.end)
    table = Table(
        [
            Column(gettext_lazy("Subdomain")),
            Column(gettext_lazy("Company")),
            Column(gettext_lazy("RUC")),
            Column(gettext_lazy("Kind")),
            Column(gettext_lazy("Status")),
            Column(gettext_lazy("License")),
            Column(gettext_lazy("License type")),
            Column(gettext_lazy("License status")),
            Column(gettext_lazy("License expires on"), ColumnType.DATE),
            Column(gettext_lazy("Active users"), ColumnType.INTEGER, total=True),
            Column(gettext_lazy("Users"), ColumnType.INTEGER, total=True),
            Column(gettext_lazy("API calls in the period"), ColumnType.INTEGER, total=True),
        ]
    )
    for company in companies:
        license = licenses.get(company.pk)
        table.rows.append(
            [
                company.slug,
                company.name,
                company.ruc,
                company.get_kind_display(),
                company.get_status_display(),
                license.code if license else None,
                license.get_type_display() if license else None,
                license.get_status_display() if license else None,
                license.expires_on if license else None,
                company.active_users,
                company.users,
                calls.get(company.pk, 0),
            ]
        )
    return table


def _licenses(query: TableQuery) -> Table:
    """Licenses that expire in the period, and licenses in force on its last day that are
    over a limit: active users (today's, from the directory) or API calls in the last day's
    month up to that day."""
    expiring = _for_company(
        License.objects.filter(company__isnull=False, expires_on__gte=query.start, expires_on__lte=query.end),
        query,
    )
    company_ids = list(_for_company(Company.objects.all(), query, "pk").values_list("pk", flat=True))
    in_force = licenses_in_force(company_ids, query.end)
    candidates = {license.pk: license for license in [*expiring, *in_force.values()]}
    licenses = sorted(
        License.objects.filter(pk__in=candidates).select_related("company"),
        key=lambda license: (license.expires_on or date.max, license.company.slug, license.code),
    )
    ids = {license.company_id for license in licenses}
    users = _active_users(ids)
    calls = _calls(ids, query.end.replace(day=1), query.end)
    table = Table(
        [
            Column(gettext_lazy("Subdomain")),
            Column(gettext_lazy("Company")),
            Column(gettext_lazy("License")),
            Column(gettext_lazy("Type")),
            Column(gettext_lazy("Status")),
            Column(gettext_lazy("Expires on"), ColumnType.DATE),
            Column(gettext_lazy("Expires in the period")),
            Column(gettext_lazy("Active users"), ColumnType.INTEGER),
            Column(gettext_lazy("User limit"), ColumnType.INTEGER),
            Column(gettext_lazy("API calls this month"), ColumnType.INTEGER),
            Column(gettext_lazy("Monthly API call limit"), ColumnType.INTEGER),
            Column(gettext_lazy("Over the limit of")),
        ]
    )
    for license in licenses:
        expires_in_period = license.expires_on is not None and query.start <= license.expires_on <= query.end
        used_users, used_calls = users.get(license.company_id, 0), calls.get(license.company_id, 0)
        over = []
        if in_force.get(license.company_id) == license:
            if license.max_users is not None and used_users > license.max_users:
                over.append(_("users"))
            if license.max_api_calls_month is not None and used_calls > license.max_api_calls_month:
                over.append(_("API calls"))
        if not expires_in_period and not over:
            continue
        table.rows.append(
            [
                license.company.slug,
                license.company.name,
                license.code,
                license.get_type_display(),
                license.get_status_display(),
                license.expires_on,
                _("Yes") if expires_in_period else _("No"),
                used_users,
                license.max_users,
                used_calls,
                license.max_api_calls_month,
                ", ".join(over),
            ]
        )
    return table


# --- revenue -------------------------------------------------------------------------------

MONEY = DecimalField(max_digits=14, decimal_places=2)


def _money_sum(expression, **filters):
    return Coalesce(
        Sum(expression, filter=Q(**filters) if filters else None), Value(Decimal("0.00")), output_field=MONEY
    )


def _revenue(query: TableQuery) -> Table:
    """Invoices issued in the period, by month of issue and customer: invoiced (every
    invoice but void ones), paid (what was received, partial payments included), pending
    (what issued and overdue invoices still owe) and overdue (what overdue ones owe)."""
    from master.billing.models import Invoice, InvoiceStatus

    invoices = _for_company(
        Invoice.objects.live().filter(issued_on__gte=query.start, issued_on__lte=query.end), query
    )
    balance = F("total_usd") - F("paid_usd")
    months = (
        invoices.annotate(month=TruncMonth("issued_on"))
        .values("month", "company__slug", "company_name")
        .annotate(
            invoices=Count("pk"),
            invoiced=_money_sum("total_usd"),
            paid=_money_sum("paid_usd"),
            pending=_money_sum(balance, status__in=[InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE]),
            overdue=_money_sum(balance, status=InvoiceStatus.OVERDUE),
        )
        .order_by("month", "company_name", "company__slug")
    )
    table = Table(
        [
            Column(gettext_lazy("Month"), ColumnType.MONTH),
            Column(gettext_lazy("Subdomain")),
            Column(gettext_lazy("Customer")),
            Column(gettext_lazy("Invoices"), ColumnType.INTEGER, total=True),
            Column(gettext_lazy("Invoiced (USD)"), ColumnType.MONEY, total=True),
            Column(gettext_lazy("Paid (USD)"), ColumnType.MONEY, total=True),
            Column(gettext_lazy("Pending (USD)"), ColumnType.MONEY, total=True),
            Column(gettext_lazy("Overdue (USD)"), ColumnType.MONEY, total=True),
        ]
    )
    for row in months:
        table.rows.append(
            [
                row["month"],
                row["company__slug"] or "",  # a deleted company's invoices keep its name only
                row["company_name"],
                row["invoices"],
                row["invoiced"],
                row["paid"],
                row["pending"],
                row["overdue"],
            ]
        )
    return table


# --- support -------------------------------------------------------------------------------


def _support(query: TableQuery) -> Table:
    """Per company with tickets or survey answers in the period, most tickets first: tickets
    opened (those still open, urgent ones), their SLA breaches, the median and p90 of first
    response and resolution (hours; tickets answered or resolved in the period), CSAT."""
    rows = support_by_company(first=query.start, last=query.end, company_id=query.company_id)
    table = Table(
        [
            Column(gettext_lazy("Subdomain")),
            Column(gettext_lazy("Company")),
            Column(gettext_lazy("Tickets opened"), ColumnType.INTEGER, total=True),
            Column(gettext_lazy("Still open"), ColumnType.INTEGER, total=True),
            Column(gettext_lazy("Urgent"), ColumnType.INTEGER, total=True),
            Column(gettext_lazy("Late first responses"), ColumnType.INTEGER, total=True),
            Column(gettext_lazy("Late resolutions"), ColumnType.INTEGER, total=True),
            Column(gettext_lazy("First response, median (h)"), ColumnType.NUMBER),
            Column(gettext_lazy("First response, p90 (h)"), ColumnType.NUMBER),
            Column(gettext_lazy("Resolution, median (h)"), ColumnType.NUMBER),
            Column(gettext_lazy("Resolution, p90 (h)"), ColumnType.NUMBER),
            Column(gettext_lazy("Survey answers"), ColumnType.INTEGER, total=True),
            Column(gettext_lazy("CSAT (%)"), ColumnType.NUMBER),
            Column(gettext_lazy("Mean rating"), ColumnType.NUMBER),
        ]
    )
    for row in rows:
        first, resolution, csat = row["first_response_hours"], row["resolution_hours"], row["csat"]
        table.rows.append(
            [
                row["company"],
                row["name"],
                row["opened"],
                row["still_open"],
                row["urgent"],
                row["first_response_breached"],
                row["resolution_breached"],
                first["median"],
                first["p90"],
                resolution["median"],
                resolution["p90"],
                csat["answers"],
                csat["csat"],
                csat["mean_rating"],
            ]
        )
    return table
