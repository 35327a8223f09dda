"""Pages of the EUDR module: plots (list with their map, the form with the geometry as GeoJSON,
detail with evidence, verification and deletion), plot imports, and the plots of origin of a
reception. Roles come from the API actions they mirror; rows from the same scoped selectors."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from erp.eudr import selectors, services
from erp.eudr.api import EvidenceViewSet, PlotViewSet, ReceptionPlotsView
from erp.eudr.geometry import geojson_dumps
from erp.eudr.models import Plot, PlotEvidence
from erp.eudr.plot_map import plots_svg
from erp.reception.api import ReceptionViewSet
from erp.reception.models import Reception
from erp.reception.selectors import reception_list
from erp.web.access import can, module_licensed, role_required
from erp.web.forms_eudr import (
    EvidenceForm,
    PlotFilterForm,
    PlotForm,
    PlotImportForm,
    PlotStatusForm,
    ReceptionPlotsForm,
)
from erp.web.forms_support import call_service, changes_of, paginate
from master.licensing.models import Module
from triboka.uploads import stored_file_response


def licensed(request) -> bool:
    """Whether the company's license includes the EUDR module (no license: shown)."""
    return module_licensed(request, Module.EUDR)


def plots_map(plots, *, label: str = "code"):
    """The offline SVG map of ``plots``, each labelled with its code (or ``label`` attribute)."""
    return plots_svg(
        [{"label": getattr(plot, label), "geometry": plot.geometry, "status": plot.status} for plot in plots]
    )


def reception_plot_choices(user, reception: Reception):
    """The plots a reception may name: its supplier's, among those the user sees."""
    return selectors.plots_visible_to(user).filter(supplier_id=reception.supplier_id).order_by("code")


def _plots(request):
    return selectors.plots_visible_to(request.user).select_related("supplier")


def _plot(request, pk) -> Plot:
    return get_object_or_404(_plots(request), pk=pk)


def _suppliers(request):
    return selectors.plot_suppliers_for(request.user).order_by("name", "pk")


def _geojson_url(form) -> str:
    """The API's GeoJSON of the plots listed: the same filters, taken only when they are valid."""
    url = reverse("eudr-plot-geojson")
    if not (form.is_bound and form.is_valid()):
        return url
    data = form.cleaned_data
    query = {
        "supplier": data["supplier"].pk if data["supplier"] else "",
        "status": data["status"],
        "search": data["search"].strip(),
    }
    query = {key: value for key, value in query.items() if value}
    return f"{url}?{urlencode(query)}" if query else url


@role_required(PlotViewSet, "list")
def plot_list(request):
    form = PlotFilterForm(request.GET or None, suppliers=_suppliers(request))
    plots = _plots(request)
    if form.is_valid():
        plots = form.apply(plots)
    page = paginate(request, plots)
    context = {
        "form": form,
        "page": page,
        "map": plots_map(page.object_list),
        "geojson_url": _geojson_url(form),
        "can_create": can(request.user, PlotViewSet, "create"),
        "can_import": can(request.user, PlotViewSet, "import_plots"),
    }
    return render(request, "web/eudr/plot_list.html", context)


@role_required(PlotViewSet, "create")
def plot_create(request):
    form = PlotForm(request.POST or None, suppliers=_suppliers(request))
    if request.method == "POST" and form.is_valid():
        plot = call_service(form, lambda: services.plot_create(user=request.user, **form.cleaned_data))
        if plot:
            messages.success(request, _("Plot %(code)s saved.") % {"code": plot.code})
            return redirect("web:eudr_plot_detail", plot.pk)
    return render(request, "web/eudr/plot_form.html", {"form": form})


@role_required(PlotViewSet, "update")
def plot_edit(request, pk):
    plot = _plot(request, pk)
    form = PlotForm(request.POST or None, instance=plot)
    if request.method == "POST" and form.is_valid():
        changes = changes_of(form)
        if not changes or call_service(
            form, lambda: services.plot_update(plot=plot, user=request.user, **changes)
        ):
            messages.success(request, _("Plot %(code)s saved.") % {"code": plot.code})
            return redirect("web:eudr_plot_detail", plot.pk)
        plot.refresh_from_db()  # the refused changes stay on the form, not on the page's heading
    return render(request, "web/eudr/plot_form.html", {"form": form, "plot": plot})


def _receptions_naming(request, plot):
    """The receptions the user sees that name the plot, or None when receptions are not theirs."""
    if not (module_licensed(request, Module.RECEPTION) and can(request.user, ReceptionViewSet, "list")):
        return None
    return reception_list(user=request.user).filter(plots=plot).order_by("-received_at", "-pk")


def _detail_page(request, plot: Plot, *, evidence_form=None, status_form=None):
    user = request.user
    context = {
        "plot": plot,
        "map": plots_map([plot], label="name"),
        "geometry_text": geojson_dumps(plot.geometry).decode(),
        "evidence": plot.evidence.all(),
        "receptions": _receptions_naming(request, plot),
        "evidence_form": evidence_form or EvidenceForm(),
        "status_form": status_form or PlotStatusForm(initial={"status": plot.status}),
        "can_edit": can(user, PlotViewSet, "update"),
        "can_upload": can(user, PlotViewSet, "upload_evidence"),
        "can_verify": can(user, PlotViewSet, "set_status"),
        "can_delete": can(user, PlotViewSet, "destroy"),
        "can_delete_evidence": can(user, EvidenceViewSet, "destroy"),
    }
    return render(request, "web/eudr/plot_detail.html", context)


@role_required(PlotViewSet, "retrieve")
def plot_detail(request, pk):
    return _detail_page(request, _plot(request, pk))


@require_POST
@role_required(PlotViewSet, "set_status")
def plot_status(request, pk):
    plot = _plot(request, pk)
    form = PlotStatusForm(request.POST)
    if form.is_valid() and call_service(
        form, lambda: services.plot_set_status(plot=plot, user=request.user, **form.cleaned_data)
    ):
        status = plot.get_status_display()
        messages.success(request, _("Plot %(code)s: %(status)s.") % {"code": plot.code, "status": status})
        return redirect("web:eudr_plot_detail", plot.pk)
    return _detail_page(request, plot, status_form=form)


@require_POST
@role_required(PlotViewSet, "destroy")
def plot_delete(request, pk):
    plot = _plot(request, pk)
    try:
        services.plot_delete(plot=plot, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("web:eudr_plot_detail", plot.pk)
    messages.success(request, _("Plot %(code)s deleted.") % {"code": plot.code})
    return redirect("web:eudr_plot_list")


@require_POST
@role_required(PlotViewSet, "upload_evidence")
def evidence_upload(request, pk):
    plot = _plot(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid() and call_service(
        form,
        lambda: services.evidence_upload(plot=plot, user=request.user, **form.service_fields()),
        aliases={"uploaded_file": "file"},
    ):
        messages.success(request, _("Evidence added to plot %(code)s.") % {"code": plot.code})
        return redirect("web:eudr_plot_detail", plot.pk)
    return _detail_page(request, plot, evidence_form=form)


def _evidence(request, pk) -> PlotEvidence:
    visible = PlotEvidence.objects.filter(plot__in=selectors.plots_visible_to(request.user))
    return get_object_or_404(visible, pk=pk)


@role_required(EvidenceViewSet, "file")
def evidence_file(request, pk):
    evidence = _evidence(request, pk)
    return stored_file_response(
        evidence.file, name=evidence.original_name, content_type=evidence.content_type
    )


@require_POST
@role_required(EvidenceViewSet, "destroy")
def evidence_delete(request, pk):
    evidence = _evidence(request, pk)
    try:
        services.evidence_delete(evidence=evidence, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Evidence %(title)s deleted.") % {"title": evidence.title})
    return redirect("web:eudr_plot_detail", evidence.plot_id)


@role_required(PlotViewSet, "import_plots")
def plot_import(request):
    posted = request.method == "POST"
    form = PlotImportForm(
        request.POST if posted else None, request.FILES if posted else None, suppliers=_suppliers(request)
    )
    if posted and form.is_valid():
        plots = call_service(
            form,
            lambda: services.plots_import(
                user=request.user,
                data=form.cleaned_data["file"].read(services.IMPORT_MAX_BYTES + 1),
                file_format=form.file_format(),
                supplier=form.cleaned_data["supplier"],
            ),
        )
        if plots is not None:
            count = len(plots)
            message = ngettext("%(count)d plot imported.", "%(count)d plots imported.", count)
            messages.success(request, message % {"count": count})
            return redirect("web:eudr_plot_list")
    return render(request, "web/eudr/plot_import.html", {"form": form})


@require_POST
@role_required(ReceptionPlotsView, "put")
def reception_plots(request, pk):
    reception = get_object_or_404(reception_list(user=request.user), pk=pk)
    form = ReceptionPlotsForm(request.POST, plots=reception_plot_choices(request.user, reception))
    chosen = form.cleaned_data["plots"] if form.is_valid() else None
    if chosen is not None and call_service(
        form, lambda: services.reception_plots_set(reception=reception, plots=chosen, user=request.user)
    ):
        messages.success(request, _("Plots of origin of %(number)s saved.") % {"number": reception.number})
    else:
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
    return redirect("web:reception_detail", reception.pk)


urlpatterns = [
    path("eudr/plots/", plot_list, name="eudr_plot_list"),
    path("eudr/plots/new/", plot_create, name="eudr_plot_create"),
    path("eudr/plots/import/", plot_import, name="eudr_plot_import"),
    path("eudr/plots/<int:pk>/", plot_detail, name="eudr_plot_detail"),
    path("eudr/plots/<int:pk>/edit/", plot_edit, name="eudr_plot_edit"),
    path("eudr/plots/<int:pk>/status/", plot_status, name="eudr_plot_status"),
    path("eudr/plots/<int:pk>/delete/", plot_delete, name="eudr_plot_delete"),
    path("eudr/plots/<int:pk>/evidence/", evidence_upload, name="eudr_evidence_upload"),
    path("eudr/evidence/<int:pk>/file/", evidence_file, name="eudr_evidence_file"),
    path("eudr/evidence/<int:pk>/delete/", evidence_delete, name="eudr_evidence_delete"),
    path("eudr/receptions/<int:pk>/plots/", reception_plots, name="eudr_reception_plots"),
]
