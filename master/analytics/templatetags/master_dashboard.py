"""The master dashboard on the admin index: figures from analytics.selectors, charts drawn as
SVG on the server (triboka/charts.py: no CDN, no JavaScript)."""

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from triboka import charts

from .. import selectors

register = template.Library()


@register.inclusion_tag("admin/master_dashboard.html")
def master_dashboard(days: int = 30):
    figures = selectors.dashboard(days=days)
    api = figures["api"]
    revenue = figures["revenue"]
    short = "SHORT_DATE_FORMAT"
    return {
        "figures": figures,
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
        "date_format": short,
    }
