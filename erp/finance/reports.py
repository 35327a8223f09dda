"""The finance reports of a company (margins by contract, month and supplier; the ageing of
payables), as tables written to CSV, XLSX or PDF by the master reports' writers. They are
made in the request: a company has hundreds of shipments and suppliers, not millions.
Shipments not priced yet are left out of the margin reports and named in their heading."""

import tempfile
from pathlib import Path

from django.db import connection
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from master.reports.selectors import Column, ColumnType, Table
from master.reports.writers import CONTENT_TYPES, Heading, file_write

from .costing import money
from .selectors import AGEING_BUCKETS, MarginReport, margins_by, payables_ageing

FORMATS = tuple(CONTENT_TYPES)
REPORTS = {
    "margin-by-contract": gettext_lazy("Margin by sales contract"),
    "margin-by-month": gettext_lazy("Margin by month"),
    "margin-by-supplier": gettext_lazy("Margin by supplier"),
    "payables-ageing": gettext_lazy("Ageing of payables to suppliers"),
}
MONEY_TOTALS = [
    Column(gettext_lazy("Revenue (USD)"), ColumnType.MONEY, total=True),
    Column(gettext_lazy("Cost (USD)"), ColumnType.MONEY, total=True),
    Column(gettext_lazy("Margin (USD)"), ColumnType.MONEY, total=True),
    Column(gettext_lazy("Margin (%)"), ColumnType.NUMBER),
]


def _margin_values(row) -> list:
    return [money(row.revenue_usd), money(row.cost_usd), money(row.margin_usd), row.margin_percent]


def _margin_table(report: MarginReport, first: list[Column], first_values) -> Table:
    columns = [
        *first,
        Column(gettext_lazy("Shipments"), ColumnType.INTEGER, total=True),
        Column(gettext_lazy("Net (kg)"), ColumnType.MONEY, total=True),
        *MONEY_TOTALS,
    ]
    rows = [[*first_values(row), row.shipments, money(row.kg), *_margin_values(row)] for row in report.rows]
    return Table(columns=columns, rows=rows)


def _by_contract(user) -> tuple[Table, MarginReport]:
    report = margins_by(user=user, by="contract")
    first = [Column(gettext_lazy("Sales contract")), Column(gettext_lazy("Buyer"))]
    return _margin_table(report, first, lambda row: [row.label, row.extra["buyer"]]), report


def _by_month(user) -> tuple[Table, MarginReport]:
    report = margins_by(user=user, by="month")
    first = [Column(gettext_lazy("Month"), ColumnType.MONTH)]
    return _margin_table(report, first, lambda row: [row.key]), report


def _by_supplier(user) -> tuple[Table, MarginReport]:
    report = margins_by(user=user, by="supplier")
    first = [Column(gettext_lazy("Supplier"))]
    return _margin_table(report, first, lambda row: [row.label]), report


def _ageing(user) -> tuple[Table, None]:
    columns = [
        Column(gettext_lazy("Supplier")),
        *(Column(label, ColumnType.MONEY, total=True) for _key, label, *_days in AGEING_BUCKETS),
        Column(gettext_lazy("Pending (USD)"), ColumnType.MONEY, total=True),
    ]
    rows = [
        [row["supplier_name"], *(money(row[key]) for key, *_rest in AGEING_BUCKETS), money(row["total"])]
        for row in payables_ageing(user=user)
    ]
    return Table(columns=columns, rows=rows), None


BUILDERS = {
    "margin-by-contract": _by_contract,
    "margin-by-month": _by_month,
    "margin-by-supplier": _by_supplier,
    "payables-ageing": _ageing,
}


def _heading(name: str, report: MarginReport | None) -> Heading:
    company = getattr(connection, "tenant", None)
    lines = [
        _("Company: %(name)s") % {"name": getattr(company, "name", "")},
        _("Generated at %(moment)s")
        % {"moment": formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")},
    ]
    if report is not None and report.not_priced:
        codes = ", ".join(margin.shipment.code for margin in report.not_priced)
        lines.append(_("Not priced yet, left out: %(codes)s") % {"codes": codes})
    return Heading(title=str(REPORTS[name]), lines=lines)


def finance_report(*, user, name: str, fmt: str) -> tuple[bytes, str]:
    """The report's file and its content type."""
    table, report = BUILDERS[name](user)
    with tempfile.TemporaryDirectory(prefix="triboka-finance-") as work:
        path = Path(work) / f"{name}.{fmt}"
        file_write(fmt, table, _heading(name, report), path)
        return path.read_bytes(), CONTENT_TYPES[fmt]
