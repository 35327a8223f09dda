"""The start page of a company site: the KPIs of GET /api/v1/dashboard/, drawn."""

from datetime import date

from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _

from erp.dashboard.api import DashboardView
from erp.dashboard.selectors import dashboard_for
from erp.lots.models import LotStatus
from erp.web.access import role_required
from triboka import charts


@role_required(DashboardView, "get")
def dashboard(request):
    kpis = dashboard_for(user=request.user)
    for row in kpis["stock_by_status"]:
        row["status_label"] = LotStatus(row["status"]).label
    return render(request, "web/dashboard.html", {"kpis": kpis, "charts": _charts(kpis)})


def _charts(kpis: dict) -> dict:
    return {
        "stock": charts.horizontal_bars(
            [(row["status_label"], row["weight_qq"]) for row in kpis["stock_by_status"]],
            title=_("Stock by status"),
            unit="qq",
        ),
        "contracts": charts.progress_bars(
            [(row["code"], row["contracted_tm"], row["delivered_tm"]) for row in kpis["contract_progress"]],
            title=_("Contracted, delivered and pending per contract"),
            unit="TM",
            done_label=_("Delivered"),
            pending_label=_("Pending"),
        ),
        "deliveries": charts.line_chart(
            [(_month_label(row["month"]), row["weight_qq"]) for row in kpis["monthly_deliveries"]],
            title=_("Monthly deliveries"),
            unit="qq",
        ),
        "humidity": charts.column_chart(
            [
                (f"{row['from_percent']}–{row['from_percent'] + 1} %", row["lots"])
                for row in kpis["humidity_distribution"]
            ],
            title=_("Humidity of stored lots (number of lots)"),
        ),
        "fob": charts.line_chart(
            [(f"{row['month']:02d}/{row['year']}", row["usd_per_tm"]) for row in kpis["fob_trend"]],
            title=_("FOB price trend"),
            unit="USD/TM",
        ),
    }


def _month_label(year_month: str) -> str:
    year, month = map(int, year_month.split("-"))
    return formats.date_format(date(year, month, 1), "M Y")
