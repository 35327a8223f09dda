"""Lots: list with filters, detail with the traceability timeline (and the device readings
when the license has the IoT module), create and edit."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from erp.access import is_company_side, partners_visible_to, user_partner_id
from erp.lots import services
from erp.lots.api import LotViewSet
from erp.lots.models import Lot
from erp.lots.selectors import lot_list
from erp.partners.models import Partner
from erp.quality.selectors import lots_with_quality_flag
from erp.web.access import can, role_required
from erp.web.forms import LotFilterForm, LotForm
from erp.web.forms_support import call_service, changes_of, paginate
from erp.web.templatetags.erp_web import percent, qq
from erp.web.views.iot import lot_readings

WEIGHT_ALIASES = {"weight_kg": "weight_qq"}


def _partners(request):
    return partners_visible_to(request.user, Partner.objects.order_by("name"))


@role_required(LotViewSet, "list")
def lot_list_page(request):
    form = LotFilterForm(request.GET or None, partners=_partners(request))
    lots = lots_with_quality_flag(lot_list(user=request.user)).order_by("-created_at", "-id")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            lots = lots.filter(Q(code__icontains=data["q"]) | Q(owner__name__icontains=data["q"]))
        if data["status"]:
            lots = lots.filter(status=data["status"])
        if data["owner"]:
            lots = lots.filter(owner=data["owner"])
        if data["contract"]:
            lots = lots.filter(contract__code__iexact=data["contract"].strip())
    return render(
        request,
        "web/lots/list.html",
        {
            "form": form,
            "page": paginate(request, lots),
            "can_create": can(request.user, LotViewSet, "create"),
        },
    )


@role_required(LotViewSet, "retrieve")
def lot_detail(request, pk):
    lot = get_object_or_404(lot_list(user=request.user), pk=pk)
    return render(
        request,
        "web/lots/detail.html",
        {
            "lot": lot,
            "events": _timeline(lot),
            "can_edit": can(request.user, LotViewSet, "update"),
            "iot": lot_readings(request, lot),
        },
    )


def _own_partner(request):
    """A center registers lots of its own partner; company-side users choose the owner."""
    partner_id = user_partner_id(request.user)
    if partner_id is None:
        raise PermissionDenied(_("Your user is not bound to a partner; ask your administrator."))
    return Partner.objects.get(pk=partner_id)


def _lot_fields(request, form) -> dict:
    data = dict(form.cleaned_data)
    if not is_company_side(request.user):
        data["owner"] = _own_partner(request)
    return data


@role_required(LotViewSet, "create")
def lot_create(request):
    choose_owner = is_company_side(request.user)
    if not choose_owner:
        _own_partner(request)
    form = LotForm(request.POST or None, partners=_partners(request), choose_owner=choose_owner)
    if request.method == "POST" and form.is_valid():
        lot = call_service(
            form,
            lambda: services.lot_create(user=request.user, **_lot_fields(request, form)),
            aliases=WEIGHT_ALIASES,
        )
        if lot:
            messages.success(request, _("Lot %(code)s registered.") % {"code": lot.code})
            return redirect("web:lot_detail", lot.pk)
    return render(request, "web/lots/form.html", {"form": form})


@role_required(LotViewSet, "update")
def lot_edit(request, pk):
    lot = get_object_or_404(lot_list(user=request.user), pk=pk)
    choose_owner = is_company_side(request.user)
    form = LotForm(request.POST or None, instance=lot, partners=_partners(request), choose_owner=choose_owner)
    if request.method == "POST" and form.is_valid():
        changes = changes_of(form)
        if "code" in changes and not changes["code"]:
            changes.pop("code")  # an empty code keeps the one the lot has
        fresh = lot_list(user=request.user).get(pk=lot.pk)
        if call_service(
            form, lambda: services.lot_update(lot=fresh, user=request.user, **changes), aliases=WEIGHT_ALIASES
        ):
            messages.success(request, _("Lot %(code)s saved.") % {"code": fresh.code})
            return redirect("web:lot_detail", lot.pk)
    return render(request, "web/lots/form.html", {"form": form, "lot": lot})


def _timeline(lot) -> list:
    """The lot's events, each change as (field label, before, after) in the user's words:
    choice labels, the owner's name, weights in qq, not stored identifiers."""
    events = list(lot.events.select_related("actor").order_by("-at", "-id"))
    owner_ids = {value for event in events for value in event.changes.get("owner", []) if value}
    names = dict(Partner.all_objects.filter(pk__in=owner_ids).values_list("pk", "name"))
    for event in events:
        event.rows = [
            (_field_label(field), _shown(field, values[0], names), _shown(field, values[1], names))
            for field, values in event.changes.items()
            if isinstance(values, list) and len(values) == 2
        ]
    return events


def _field_label(field: str) -> str:
    if field == "weight_kg":
        return _("Weight")
    try:
        return capfirst(Lot._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return field


def _shown(field: str, value, names: dict) -> str:
    if value in (None, ""):
        return "—"
    if field == "owner":
        return names.get(value, str(value))
    if field == "weight_kg":
        return qq(value)
    if field == "humidity_percent":
        return percent(value)
    if field == "received_on":
        return formats.date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
    choices = dict(Lot._meta.get_field(field).choices or []) if field in ("status", "variety") else {}
    return str(choices.get(value, value))
