"""The EUDR sections of other pages, shown only when the license includes the EUDR module.

``{% eudr_lot_section lot %}`` on a lot's page: the lot's status through its genealogy (verified,
not verified, no reception), the receptions behind it and those without plots, its plots.
``{% eudr_reception_section reception %}`` on a reception's page: the plots it names and, for the
company side and the reception's center, the form that chooses them among the supplier's plots."""

from django import template

from erp.eudr.api import PlotViewSet, ReceptionPlotsView
from erp.eudr.models import Plot
from erp.eudr.selectors import LotEudrStatus, lot_origin, plots_visible_to
from erp.web.access import can
from erp.web.forms_eudr import ReceptionPlotsForm
from erp.web.views.eudr import licensed, reception_plot_choices

register = template.Library()


@register.inclusion_tag("web/eudr/_lot_section.html", takes_context=True)
def eudr_lot_section(context, lot):
    request = context.get("request")
    if request is None or not licensed(request):
        return {"show": False}
    origin = lot_origin(lot=lot)
    # Whoever sees the lot reads its origin; a plot's page opens only for those who see the plot.
    behind = Plot.objects.filter(pk__in=[plot.pk for plot in origin.plots])
    return {
        "show": True,
        "origin": origin,
        "status_label": LotEudrStatus(origin.status).label,
        "linked": set(plots_visible_to(request.user, behind).values_list("pk", flat=True)),
    }


@register.inclusion_tag("web/eudr/_reception_section.html", takes_context=True)
def eudr_reception_section(context, reception):
    request = context.get("request")
    if request is None or not licensed(request):
        return {"show": False}
    plots = list(reception.plots.order_by("code"))
    form = None
    # The reception page is already scoped: a center reaches only the receptions at itself.
    if can(request.user, ReceptionPlotsView, "put") and reception.voided_at is None:
        form = ReceptionPlotsForm(
            initial={"plots": [plot.pk for plot in plots]},
            plots=reception_plot_choices(request.user, reception),
        )
    return {
        "show": True,
        "reception": reception,
        "plots": plots,
        "form": form,
        "can_create_plot": can(request.user, PlotViewSet, "create"),
        "request": request,
    }
