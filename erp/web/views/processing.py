"""Pages of the processing module: open and recent fermentation batches and drying runs, the
forms to start one, add a turn or a reading and finish it, and each step's page (a drying
run's with its moisture chart)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from erp.processing import selectors, services
from erp.processing.api import DryingViewSet, FermentationViewSet
from erp.web.access import can, module_licensed, role_required
from erp.web.forms_processing import (
    DryingFinishForm,
    DryingStartForm,
    FermentationFinishForm,
    FermentationStartForm,
    ReadingForm,
    TurnForm,
    filled,
)
from erp.web.forms_support import call_service
from master.licensing.models import Module
from triboka import charts

RECENT = 20


def licensed(request) -> bool:
    return module_licensed(request, Module.PROCESSING)


def moisture_chart(run):
    """Moisture (%) over the run's time; the target is named in the title (the chart helper
    draws no reference line)."""
    points = [
        (formats.date_format(timezone.localtime(r.at), "d/m H:i"), r.moisture_percent)
        for r in run.readings.all()
    ]
    if not points:
        return None
    title = _("Moisture of lot %(code)s while drying (target %(target)s %%)") % {
        "code": run.lot.code,
        "target": formats.number_format(run.target_moisture_percent, 2, use_l10n=True),
    }
    return charts.line_chart(points, title=title, unit="%")


@role_required(FermentationViewSet, "list")
def processing_home(request):
    fermentations = selectors.fermentation_list(user=request.user)
    dryings = selectors.drying_list(user=request.user)
    context = {
        "open_fermentations": fermentations.open(),
        "recent_fermentations": fermentations.closed().order_by("-ended_at")[:RECENT],
        "open_dryings": dryings.open(),
        "recent_dryings": dryings.closed().order_by("-ended_at")[:RECENT],
        "can_start": can(request.user, FermentationViewSet, "create"),
    }
    return render(request, "web/processing/home.html", context)


def _start(request, form_class, service, detail: str, title: str):
    form = form_class(request.POST or None, user=request.user, initial={"lot": request.GET.get("lot")})
    if request.method == "POST" and form.is_valid():
        step = call_service(form, lambda: service(user=request.user, **filled(form)))
        if step:
            messages.success(request, _("Started for lot %(code)s.") % {"code": step.lot.code})
            return redirect(detail, step.pk)
    context = {"form": form, "title": title, "back": "web:processing_home"}
    return render(request, "web/processing/form.html", context, status=400 if form.errors else 200)


def _step_form(request, step, form_class, service, detail: str, title: str, **kwargs):
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if call_service(form, lambda: service(user=request.user, **kwargs, **filled(form))):
            messages.success(request, _("Saved."))
            return redirect(detail, step.pk)
    context = {"form": form, "title": title, "step": step, "back": detail}
    return render(request, "web/processing/form.html", context, status=400 if form.errors else 200)


def _batch(request, pk):
    return get_object_or_404(selectors.fermentation_list(user=request.user), pk=pk)


def _run(request, pk):
    return get_object_or_404(selectors.drying_list(user=request.user), pk=pk)


@role_required(FermentationViewSet, "create")
def fermentation_create(request):
    return _start(
        request,
        FermentationStartForm,
        services.fermentation_start,
        "web:fermentation_detail",
        _("Start a fermentation"),
    )


@role_required(FermentationViewSet, "retrieve")
def fermentation_detail(request, pk):
    batch = _batch(request, pk)
    can_write = batch.is_open and can(request.user, FermentationViewSet, "finish")
    return render(
        request, "web/processing/fermentation_detail.html", {"batch": batch, "can_write": can_write}
    )


@role_required(FermentationViewSet, "turns")
def fermentation_turn(request, pk):
    batch = _batch(request, pk)
    return _step_form(
        request,
        batch,
        TurnForm,
        services.fermentation_turn_add,
        "web:fermentation_detail",
        _("Add a turn"),
        batch=batch,
    )


@role_required(FermentationViewSet, "finish")
def fermentation_finish(request, pk):
    batch = _batch(request, pk)
    title = _("Finish the fermentation")
    return _step_form(
        request,
        batch,
        FermentationFinishForm,
        services.fermentation_finish,
        "web:fermentation_detail",
        title,
        batch=batch,
    )


@role_required(DryingViewSet, "create")
def drying_create(request):
    return _start(
        request, DryingStartForm, services.drying_start, "web:drying_detail", _("Start a drying run")
    )


@role_required(DryingViewSet, "retrieve")
def drying_detail(request, pk):
    run = _run(request, pk)
    context = {
        "run": run,
        "chart": moisture_chart(run),
        "can_write": run.is_open and can(request.user, DryingViewSet, "finish"),
    }
    return render(request, "web/processing/drying_detail.html", context)


@role_required(DryingViewSet, "readings")
def drying_reading(request, pk):
    run = _run(request, pk)
    title = _("Add a moisture reading")
    return _step_form(
        request, run, ReadingForm, services.drying_reading_add, "web:drying_detail", title, run=run
    )


@role_required(DryingViewSet, "finish")
def drying_finish(request, pk):
    run = _run(request, pk)
    title = _("Finish the drying run")
    return _step_form(
        request, run, DryingFinishForm, services.drying_finish, "web:drying_detail", title, run=run
    )


urlpatterns = [
    path("processing/", processing_home, name="processing_home"),
    path("processing/fermentations/new/", fermentation_create, name="fermentation_create"),
    path("processing/fermentations/<int:pk>/", fermentation_detail, name="fermentation_detail"),
    path("processing/fermentations/<int:pk>/turns/", fermentation_turn, name="fermentation_turn"),
    path("processing/fermentations/<int:pk>/finish/", fermentation_finish, name="fermentation_finish"),
    path("processing/dryings/new/", drying_create, name="drying_create"),
    path("processing/dryings/<int:pk>/", drying_detail, name="drying_detail"),
    path("processing/dryings/<int:pk>/readings/", drying_reading, name="drying_reading"),
    path("processing/dryings/<int:pk>/finish/", drying_finish, name="drying_finish"),
]
