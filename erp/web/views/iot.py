"""IoT pages: devices with their health and keys, readings with filters, lot assignment and
a lot's weight and moisture chart, CSV imports with their report.

A device's key is shown once: the service returns it, and the page that follows the POST
shows it; it waits in the session for that one page (ten minutes at most), then nothing
keeps it (the device keeps only its hash).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.access import lots_visible_to
from erp.lots.models import Lot
from erp.lots.selectors import lot_list
from erp.units import kg_to_qq
from erp.web.access import can, role_required
from erp.web.forms_iot import (
    DeviceFilterForm,
    DeviceForm,
    ImportUploadForm,
    ReadingAssignForm,
    ReadingFilterForm,
)
from erp.web.forms_support import call_service, changes_of, paginate
from iot import selectors, services
from iot.api import CsvUploadView, DeviceViewSet, ReadingImportViewSet, ReadingViewSet
from iot.csv_import import import_upload
from iot.models import Device, ImportStatus, Reading
from master.licensing.models import Module
from triboka import charts

NEW_KEY = "iot_new_key"  # session: {"device": pk, "key": ...} until the device's page shows it
NEW_KEY_SECONDS = 600
LOT_READINGS = 36  # on the lot's page
CHART_POINTS = 200  # the newest readings of a lot drawn
SUGGESTED_LOTS = 100
REFRESH_SECONDS = 3  # a running import's page reloads itself (a Refresh header: no JavaScript)


def _page(request, template: str, context: dict, status: int = 200):
    """Render an IoT page with the tabs between devices, readings and imports."""
    user = request.user
    tabs = [
        ("web:iot_device_list", _("Devices"), can(user, DeviceViewSet, "list")),
        ("web:iot_reading_list", _("Readings"), can(user, ReadingViewSet, "list")),
        ("web:iot_import_list", _("CSV imports"), can(user, ReadingImportViewSet, "list")),
    ]
    current = request.resolver_match.url_name.split("_")[1]  # device, reading, import
    context["iot_tabs"] = [
        {"url": reverse(name), "label": label, "current": name.split("_")[1] == current}
        for name, label, allowed in tabs
        if allowed
    ]
    return render(request, template, context, status=status)


# --- devices -------------------------------------------------------------------------------


def _devices(request):
    return selectors.devices_visible_to(request.user)


def _device(request, pk) -> Device:
    return get_object_or_404(_devices(request).select_related("location"), pk=pk)


def _with_errors_today(devices) -> None:
    errors = selectors.device_errors_today([device.pk for device in devices])
    for device in devices:
        device.errors_today = errors.get(device.pk, 0)


@role_required(DeviceViewSet, "list")
def device_list(request):
    form = DeviceFilterForm(request.GET or None)
    devices = selectors.devices_with_health(_devices(request)).order_by("name", "id")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            devices = devices.filter(Q(name__icontains=data["q"]) | Q(serial_number__icontains=data["q"]))
        if data["active"]:
            devices = devices.filter(is_active=data["active"] == "yes")
    page = paginate(request, devices)
    _with_errors_today(page)
    context = {"form": form, "page": page, "can_register": can(request.user, DeviceViewSet, "create")}
    return _page(request, "web/iot/device_list.html", context)


@role_required(DeviceViewSet, "create")
def device_create(request):
    form = DeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = call_service(form, lambda: services.device_register(user=request.user, **form.cleaned_data))
        if created:
            device, key = created
            _show_key_once(request, device, key)
            messages.success(request, _("Device %(name)s registered.") % {"name": device.name})
            return redirect("web:iot_device_detail", device.pk)
    return _page(request, "web/iot/device_form.html", {"form": form})


@role_required(DeviceViewSet, "retrieve")
def device_detail(request, pk):
    device = get_object_or_404(selectors.devices_with_health(_devices(request)), pk=pk)
    _with_errors_today([device])
    new_key = _key_to_show(request, device)
    context = {
        "device": device,
        "new_key": new_key,
        "readings": selectors.reading_list(user=request.user).filter(device=device)[:20],
        "errors": device.errors.all()[:20],
        "can_manage": can(request.user, DeviceViewSet, "update"),
        "can_upload": can(request.user, CsvUploadView, "post") and device.is_active,
    }
    response = _page(request, "web/iot/device_detail.html", context)
    if new_key:
        add_never_cache_headers(response)  # the key must not stay in a browser's cache
    return response


@role_required(DeviceViewSet, "update")
def device_edit(request, pk):
    device = _device(request, pk)
    form = DeviceForm(request.POST or None, instance=device)
    if request.method == "POST" and form.is_valid():
        changes = changes_of(form)
        if call_service(form, lambda: services.device_update(device=_device(request, pk), **changes)):
            messages.success(request, _("Device %(name)s saved.") % {"name": form.cleaned_data["name"]})
            return redirect("web:iot_device_detail", device.pk)
    return _page(request, "web/iot/device_form.html", {"form": form, "device": device})


def _show_key_once(request, device: Device, key: str) -> None:
    request.session[NEW_KEY] = {"device": device.pk, "key": key, "at": timezone.now().timestamp()}


def _key_to_show(request, device: Device) -> str | None:
    """The key just made for this device, once; a key not shown within minutes is dropped."""
    waiting = request.session.get(NEW_KEY)
    if not waiting or waiting.get("device") != device.pk:
        return None
    del request.session[NEW_KEY]
    if timezone.now().timestamp() - waiting.get("at", 0) > NEW_KEY_SECONDS:
        return None
    return waiting["key"]


@dataclass(frozen=True)
class Confirmation:
    title: str
    text: str
    button: str
    danger: bool = False


CONFIRMATIONS = {
    "deactivate": Confirmation(
        gettext_lazy("Deactivate the device"),
        gettext_lazy("Its key stops working at once; its readings stay. You can activate it again."),
        gettext_lazy("Deactivate"),
        danger=True,
    ),
    "activate": Confirmation(
        gettext_lazy("Activate the device"),
        gettext_lazy("Its key works again. Active devices count towards the license's device limit."),
        gettext_lazy("Activate"),
    ),
    "rotate": Confirmation(
        gettext_lazy("Rotate the key"),
        gettext_lazy(
            "A new key is made and shown once; the current key stops working at once. "
            "Put the new key in the device right away."
        ),
        gettext_lazy("Make a new key"),
        danger=True,
    ),
    "revoke": Confirmation(
        gettext_lazy("Revoke the key"),
        gettext_lazy(
            "The key stops working at once and the device cannot send readings until it gets a new one."
        ),
        gettext_lazy("Revoke the key"),
        danger=True,
    ),
}


def _confirm_or_do(request, pk, confirmation: str, perform):
    """GET: the confirmation page (no JavaScript needed); POST: ``perform(device)``, which
    returns the message to show (a refusal of the service is shown as an error)."""
    device = _device(request, pk)
    if request.method != "POST":
        context = {"device": device, "confirmation": CONFIRMATIONS[confirmation]}
        return _page(request, "web/iot/device_confirm.html", context)
    try:
        messages.success(request, perform(device))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("web:iot_device_detail", device.pk)


@role_required(DeviceViewSet, "deactivate")
def device_deactivate(request, pk):
    def perform(device):
        services.device_set_active(device=device, active=False)
        return _("Device %(name)s deactivated.") % {"name": device.name}

    return _confirm_or_do(request, pk, "deactivate", perform)


@role_required(DeviceViewSet, "activate")
def device_activate(request, pk):
    def perform(device):
        services.device_set_active(device=device, active=True)
        return _("Device %(name)s activated.") % {"name": device.name}

    return _confirm_or_do(request, pk, "activate", perform)


@role_required(DeviceViewSet, "rotate_key")
def device_rotate_key(request, pk):
    def perform(device):
        _show_key_once(request, device, services.device_key_rotate(device=device))
        return _("A new key was made for %(name)s; the old one no longer works.") % {"name": device.name}

    return _confirm_or_do(request, pk, "rotate", perform)


@role_required(DeviceViewSet, "revoke_key")
def device_revoke_key(request, pk):
    def perform(device):
        services.device_key_revoke(device=device)
        return _("The key of %(name)s was revoked.") % {"name": device.name}

    return _confirm_or_do(request, pk, "revoke", perform)


# --- readings ------------------------------------------------------------------------------


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(request, readings, data: dict):
    """The readings the filters ask for, and the lot when they name one the user may see."""
    lot = None
    if data.get("device"):
        readings = readings.filter(device=data["device"])
    if data["lot"].strip():
        lot = lot_list(user=request.user).filter(code__iexact=data["lot"].strip()).first()
        readings = readings.filter(lot=lot) if lot else readings.none()
    if data["date_from"]:
        readings = readings.filter(measured_at__gte=_day_start(data["date_from"]))
    if data["date_to"]:
        readings = readings.filter(measured_at__lt=_day_start(data["date_to"] + timedelta(days=1)))
    return readings, lot


def _assignable(request):
    """The lots the user may name; the service decides whether the reading's device may feed
    it (a device at a center feeds that center's lots)."""
    return lots_visible_to(request.user, Lot.objects.order_by("-created_at", "-id"))


@role_required(ReadingViewSet, "list")
def reading_list(request):
    devices = _devices(request).order_by("name", "id") if can(request.user, DeviceViewSet, "list") else None
    form = ReadingFilterForm(request.GET or None, devices=devices)
    readings, lot = selectors.reading_list(user=request.user), None
    if form.is_valid():
        readings, lot = _filtered(request, readings, form.cleaned_data)
    may_assign = can(request.user, ReadingViewSet, "assign")
    context = {
        "form": form,
        "page": paginate(request, readings),
        "lot": lot,
        "lot_charts": lot_charts(lot) if lot else None,
        "may_assign": may_assign,
        "suggested_lots": _assignable(request).only("code")[:SUGGESTED_LOTS] if may_assign else [],
    }
    return _page(request, "web/iot/reading_list.html", context)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("web:iot_reading_list")


@role_required(ReadingViewSet, "assign")
def reading_assign(request, pk):
    reading = get_object_or_404(selectors.reading_list(user=request.user), pk=pk)
    lots = _assignable(request)
    initial = {"lot": reading.lot.code if reading.lot else ""}
    form = ReadingAssignForm(request.POST or None, lots=lots, initial=initial)
    if request.method == "POST" and form.is_valid():
        lot = form.cleaned_data["lot"]
        done = call_service(
            form, lambda: services.reading_assign_lot(reading=reading, lot=lot, user=request.user)
        )
        if done:
            if lot is None:
                messages.success(request, _("The reading is no longer assigned to a lot."))
            else:
                messages.success(request, _("Reading assigned to lot %(code)s.") % {"code": lot.code})
            return redirect(_next_url(request))
    context = {
        "form": form,
        "reading": reading,
        "suggested_lots": lots.only("code")[:SUGGESTED_LOTS],
        "next": _next_url(request),
    }
    return _page(request, "web/iot/reading_assign.html", context, status=400 if form.errors else 200)


def lot_charts(lot: Lot) -> dict:
    """The lot's weight (qq) and moisture over time, from its newest readings."""
    series = selectors.lot_series(lot)[-CHART_POINTS:]

    def label(reading: Reading) -> str:
        return formats.date_format(timezone.localtime(reading.measured_at), "d/m H:i")

    weights = [(label(r), kg_to_qq(r.net_kg)) for r in series if r.net_kg is not None]
    moistures = [(label(r), r.moisture_percent) for r in series if r.moisture_percent is not None]
    title = {"code": lot.code}
    return {
        "weight": charts.line_chart(weights, title=_("Weight of lot %(code)s (qq)") % title, unit="qq")
        if weights
        else None,
        "moisture": charts.line_chart(moistures, title=_("Moisture of lot %(code)s (%%)") % title, unit="%")
        if moistures
        else None,
    }


def lot_readings(request, lot: Lot) -> dict | None:
    """The device readings of a lot for its page (newest first) and its chart; None when
    the company's license does not include the IoT module."""
    license = getattr(request, "license", None)
    if license is None or Module.IOT not in license.modules:
        return None
    readings = selectors.readings_visible_to(request.user, Reading.objects.filter(lot=lot))
    readings = list(readings.select_related("device")[:LOT_READINGS])
    return {"readings": readings, "charts": lot_charts(lot) if readings else None}


# --- CSV imports -----------------------------------------------------------------------------


@role_required(ReadingImportViewSet, "list")
def import_list(request):
    context = {
        "page": paginate(request, selectors.imports_visible_to(request.user)),
        "can_upload": can(request.user, CsvUploadView, "post"),
    }
    return _page(request, "web/iot/import_list.html", context)


@role_required(CsvUploadView, "post")
def import_create(request):
    devices = _devices(request).filter(is_active=True).order_by("name", "id")
    initial = {"device": request.GET.get("device")}
    posted = request.method == "POST"
    form = ImportUploadForm(
        request.POST if posted else None, request.FILES if posted else None, devices=devices, initial=initial
    )
    if posted and form.is_valid():
        reading_import = call_service(
            form,
            lambda: import_upload(
                device=form.cleaned_data["device"], uploaded_file=form.cleaned_data["file"], user=request.user
            ),
            aliases={"uploaded_file": "file"},
        )
        if reading_import:
            return redirect("web:iot_import_detail", reading_import.pk)
    return _page(request, "web/iot/import_form.html", {"form": form})


@role_required(ReadingImportViewSet, "retrieve")
def import_detail(request, pk):
    reading_import = get_object_or_404(selectors.imports_visible_to(request.user), pk=pk)
    running = reading_import.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
    context = {
        "reading_import": reading_import,
        "rejections": _rejections(reading_import),
        "running": running,
        "refresh_seconds": REFRESH_SECONDS,
    }
    response = _page(request, "web/iot/import_detail.html", context)
    if running:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


def _rejections(reading_import) -> list[tuple]:
    """(line, [reasons]) of the rejected rows kept in the report."""
    rows = []
    for rejection in reading_import.rejections or []:
        errors = rejection.get("errors") if isinstance(rejection, dict) else rejection
        if isinstance(errors, dict):
            reasons = [str(message) for message in errors.values()]
        elif isinstance(errors, list):
            reasons = [str(message) for message in errors]
        else:
            reasons = [str(errors or "")]
        rows.append((rejection.get("line") if isinstance(rejection, dict) else None, reasons))
    return rows
