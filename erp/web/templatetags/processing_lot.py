"""The processing section of a lot's page: ``{% processing_lot_section lot %}``: its fermentation
batches and drying runs with their yields, the measured wet-to-dry conversion factor and the
moisture chart of its latest drying run. Shown only when the license includes processing."""

from django import template

from erp.processing import selectors
from erp.processing.api import FermentationViewSet
from erp.web.access import can
from erp.web.views.processing import licensed, moisture_chart

register = template.Library()


@register.inclusion_tag("web/processing/_lot_section.html", takes_context=True)
def processing_lot_section(context, lot):
    request = context.get("request")
    if request is not None and not licensed(request):
        return {"show": False}
    processing = selectors.lot_processing(lot)
    return {
        "show": True,
        "lot": lot,
        "request": request,
        "p": processing,
        "chart": moisture_chart(processing.dryings[-1]) if processing.dryings else None,
        "can_start": can(getattr(request, "user", None), FermentationViewSet, "create"),
    }
