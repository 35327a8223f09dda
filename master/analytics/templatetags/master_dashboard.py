"""The master dashboard on the admin index: figures from analytics.selectors, charts drawn as
SVG on the server (triboka/charts.py: no CDN, no JavaScript)."""

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from master.licensing.models import Module
from support.tickets.models import TicketCategory, TicketPriority
from triboka import charts

from .. import selectors, support

register = template.Library()


@register.inclusion_tag("admin/master_dashboard.html")
def master_dashboard(days: int = 30):
    figures = selectors.dashboard(days=days)
    api = figures["api"]
    revenue = figures["revenue"]
    short = "SHORT_DATE_FORMAT"
    help_figures = support.support_figures(first=figures["period"]["start"], last=figures["period"]["end"])
    return {
        "figures": figures,
        "support": help_figures,
        "priorities": TicketPriority.choices,
        "charts": {
            "calls": charts.line_chart(
                [(formats.date_format(day["day"], "d/m"), day["calls"]) for day in api["by_day"]],
                title=_("API calls per day"),
                decimal_pos=0,
            ),
            "errors": charts.line_chart(
                [(formats.date_format(day["day"], "d/m"), day["error_rate"]) for day in api["by_day"]],
                # xgettext:no-python-format
                title=_("Server errors (% of API calls)"),
                unit="%",
            ),
            "licenses": charts.column_chart(
                list(figures["licenses_by_type"].items()), title=_("Licenses in force by type")
            ),
            "revenue": charts.column_chart(
                [(formats.date_format(row["month"], "M y"), row["invoiced"]) for row in revenue["by_month"]],
                title=_("Invoiced per month (USD)"),
                decimal_pos=2,
            ),
        },
        "support_charts": support_charts(help_figures),
        "date_format": short,
    }


def support_charts(figures: dict) -> dict:
    opened = figures["opened"]
    return {
        "priority": charts.column_chart(
            [(label, figures["open"]["by_priority"][code]) for code, label in TicketPriority.choices],
            title=_("Open tickets by priority"),
        ),
        "csat": charts.line_chart(
            [(formats.date_format(row["month"], "M y"), row["csat"]) for row in figures["csat_by_month"]],
            # xgettext:no-python-format
            title=_("CSAT by month (% of answers rating 4 or 5)"),
            unit="%",
            decimal_pos=1,
        ),
        "categories": charts.horizontal_bars(
            [
                (dict(TicketCategory.choices).get(code, code), total)
                for code, total in opened["by_category"].items()
            ],
            title=_("Tickets opened by category"),
            decimal_pos=0,
        ),
        "modules": charts.horizontal_bars(
            [
                (dict(Module.choices).get(code, code) or _("No module"), total)
                for code, total in opened["by_module"].items()
            ],
            title=_("Tickets opened by module"),
            decimal_pos=0,
        ),
    }
