"""Pages of the finance module: the margins overview with the reports' downloads, costs (list,
form, deletion), a lot's and a shipment's cost breakdown, payables to suppliers (a supplier
reads its own) with their ageing, receivables from buyers, and the forms that record payments.
Roles come from the API actions they mirror; figures from the same selectors and costing."""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from erp.access import is_company_side
from erp.finance import reports, selectors, services
from erp.finance.api import (
    BuyerPaymentViewSet,
    CostViewSet,
    LotCostView,
    MarginsView,
    PayablesView,
    ReceivablesView,
    ShipmentMarginView,
    SupplierPaymentViewSet,
)
from erp.finance.costing import (
    HEADS,
    PURCHASE,
    ZERO,
    lot_cost,
    margin_percent,
    money,
    shipment_cost,
    shipment_revenue_usd,
)
from erp.finance.models import Cost, CostKind
from erp.lots.models import Lot
from erp.lots.selectors import lot_named
from erp.partners.models import Partner, PartnerKind
from erp.units import KG_PER_QUINTAL, KG_PER_TM
from erp.web.access import can, role_required
from erp.web.forms_finance import (
    BuyerPaymentForm,
    CostFilterForm,
    CostForm,
    PayableFilterForm,
    SupplierPaymentForm,
)
from erp.web.forms_support import call_service, changes_of, paginate

GROUPINGS = {
    "shipment": gettext_lazy("By shipment"),
    "contract": gettext_lazy("By sales contract"),
    "month": gettext_lazy("By month"),
    "supplier": gettext_lazy("By supplier"),
}


def head_label(head: str) -> str:
    return _("Purchase") if head == PURCHASE else str(CostKind(head).label)


def unit_costs(unit_per_kg: Decimal | None) -> dict:
    """A unit cost as shown: USD/kg to 4 places, USD/qq and USD/TM to the cent, rounded here
    because the number filters cut the digits they do not show."""
    if unit_per_kg is None:
        return {"per_kg": None, "per_qq": None, "per_tm": None}
    return {
        "per_kg": unit_per_kg.quantize(Decimal("0.0001"), ROUND_HALF_UP),
        "per_qq": money(unit_per_kg * KG_PER_QUINTAL),
        "per_tm": money(unit_per_kg * KG_PER_TM),
    }


def margin_figures(kg: Decimal, revenue: Decimal | None, cost: Decimal) -> dict:
    """Kilograms, revenue, cost and margin rounded half-up to cents (None without a price)."""
    return {
        "priced": revenue is not None,
        "kg": money(kg),
        "revenue_usd": money(revenue),
        "cost_usd": money(cost),
        "margin_usd": None if revenue is None else money(revenue - cost),
        "margin_percent": margin_percent(revenue, cost),
    }


def _margin_rows(rows) -> list[dict]:
    return [
        {
            "key": row.key,
            "label": row.label,
            "extra": row.extra,
            "shipments": row.shipments,
            **margin_figures(row.kg, row.revenue_usd, row.cost_usd),
        }
        for row in rows
    ]


def _total_row(rows) -> dict:
    return margin_figures(
        sum((row.kg for row in rows), ZERO),
        sum((row.revenue_usd for row in rows), ZERO),
        sum((row.cost_usd for row in rows), ZERO),
    )


def report_links() -> list[dict]:
    """The reports as the API serves them: the session login opens them too."""
    return [
        {
            "label": label,
            "files": [
                (fmt.upper(), reverse("finance-report", kwargs={"name": name, "fmt": fmt}))
                for fmt in reports.FORMATS
            ],
        }
        for name, label in reports.REPORTS.items()
    ]


def _tabs(request) -> dict:
    return {"company_side": is_company_side(request.user)}


# --- Margins -----------------------------------------------------------------------------


@role_required(MarginsView, "get")
def finance_home(request):
    by = request.GET.get("by") if request.GET.get("by") in GROUPINGS else "shipment"
    report = selectors.margins_by(user=request.user, by=by)
    context = {
        **_tabs(request),
        "by": by,
        "groupings": GROUPINGS.items(),
        "rows": _margin_rows(report.rows),
        "not_priced": [
            {"shipment": margin.shipment, "kg": margin.kg, "cost_usd": money(margin.cost_usd)}
            for margin in report.not_priced
        ],
        "total": _total_row(report.rows),
        "reports": report_links(),
    }
    return render(request, "web/finance/home.html", context)


# --- Costs -------------------------------------------------------------------------------


def _shipments(request):
    return selectors.shipments_for_margins(user=request.user)


@role_required(CostViewSet, "list")
def cost_list(request):
    form = CostFilterForm(request.GET or None, shipments=_shipments(request))
    costs = selectors.cost_list(user=request.user)
    if form.is_valid():
        costs = form.apply(costs)
    context = {
        **_tabs(request),
        "form": form,
        "page": paginate(request, costs),
        "can_create": can(request.user, CostViewSet, "create"),
        "can_edit": can(request.user, CostViewSet, "update"),
        "can_delete": can(request.user, CostViewSet, "destroy"),
    }
    return render(request, "web/finance/cost_list.html", context)


def _service_fields(request, form, fields) -> dict | None:
    """The form's fields for the service, the lot named by its code; None (with the error on
    the field) when no lot has that code."""
    data = {name: form.cleaned_data[name] for name in fields}
    if "lot_code" in data:
        code = data.pop("lot_code").strip()
        data["lot"] = lot_named(Lot.all_objects.all(), code) if code else None
        if code and data["lot"] is None:
            form.add_error("lot_code", _("No lot has this code."))
            return None
    return data


def _after_cost(cost: Cost):
    if cost.lot_id:
        return redirect("web:finance_lot_cost", cost.lot_id)
    return redirect("web:finance_shipment_cost", cost.shipment_id)


def _initial_target(request) -> dict:
    """A cost started from a lot's or a shipment's page is laid on it."""
    initial = {}
    lot = lot_named(Lot.objects.all(), request.GET.get("lot"))
    if lot is not None:
        initial["lot_code"] = lot.code
    shipment = _shipments(request).filter(pk=request.GET.get("shipment") or 0).first()
    if shipment is not None:
        initial["shipment"] = shipment
    return initial


@role_required(CostViewSet, "create")
def cost_create(request):
    form = CostForm(request.POST or None, shipments=_shipments(request), initial=_initial_target(request))
    if request.method == "POST" and form.is_valid():
        data = _service_fields(request, form, form.fields)
        cost = data and call_service(
            form,
            lambda: services.cost_create(user=request.user, **data),
            aliases={"lot": "lot_code"},
        )
        if cost:
            messages.success(request, _("Cost of %(amount)s USD saved.") % {"amount": cost.amount_usd})
            return _after_cost(cost)
    return render(request, "web/finance/cost_form.html", {**_tabs(request), "form": form})


def _cost(request, pk) -> Cost:
    return get_object_or_404(selectors.cost_list(user=request.user), pk=pk)


@role_required(CostViewSet, "update")
def cost_edit(request, pk):
    cost = _cost(request, pk)
    form = CostForm(request.POST or None, instance=cost, shipments=_shipments(request))
    if request.method == "POST" and form.is_valid():
        changes = _service_fields(request, form, changes_of(form))
        if changes == {}:
            return _after_cost(cost)
        if changes and call_service(
            form,
            lambda: services.cost_update(cost=cost, user=request.user, **changes),
            aliases={"lot": "lot_code"},
        ):
            messages.success(request, _("Cost saved."))
            return _after_cost(_cost(request, pk))
    return render(request, "web/finance/cost_form.html", {**_tabs(request), "form": form, "cost": cost})


@require_POST
@role_required(CostViewSet, "destroy")
def cost_delete(request, pk):
    cost = _cost(request, pk)
    services.cost_delete(cost=cost, user=request.user)
    messages.success(request, _("Cost deleted."))
    return redirect("web:finance_cost_list")


# --- Breakdowns --------------------------------------------------------------------------


def _head_rows(by_head: dict, base_kg: Decimal) -> list[dict]:
    return [
        {
            "label": head_label(head),
            "usd": money(by_head[head]),
            **unit_costs(by_head[head] / base_kg if base_kg else None),
        }
        for head in HEADS
    ]


@role_required(LotCostView, "get")
def lot_cost_page(request, pk):
    lot = get_object_or_404(Lot.all_objects, pk=pk)
    cost = lot_cost(lot=lot)
    context = {
        **_tabs(request),
        "lot": lot,
        "cost": cost,
        "total": money(cost.total_usd),
        "heads": _head_rows(cost.by_head, cost.base_kg),
        "unit": unit_costs(cost.unit_usd_per_kg),
        "costs": Cost.objects.filter(lot=lot),
        "can_create": can(request.user, CostViewSet, "create") and not lot.is_deleted,
    }
    return render(request, "web/finance/lot_cost.html", context)


def _load_rows(margin) -> list[dict]:
    codes = dict(Lot.all_objects.filter(pk__in=margin.unit_costs).values_list("pk", "code"))
    rows = []
    for load in margin.loads:
        unit = margin.unit_costs[load.lot_id].unit_usd_per_kg
        rows.append(
            {
                "lot_id": load.lot_id,
                "code": codes.get(load.lot_id, ""),
                "kg": load.kg,
                "per_kg": unit_costs(unit)["per_kg"],
                "usd": money(load.kg * (unit or ZERO)),
            }
        )
    return rows


@role_required(ShipmentMarginView, "get")
def shipment_cost_page(request, pk):
    shipment = get_object_or_404(selectors.shipments_for_margins(user=request.user), pk=pk)
    margin = shipment_cost(shipment=shipment)
    context = {
        **_tabs(request),
        "shipment": shipment,
        "margin": margin_figures(margin.kg, margin.revenue_usd, margin.cost_usd),
        "heads": _head_rows(margin.cost_by_head, margin.kg),
        "unit": unit_costs(margin.cost_usd / margin.kg if margin.kg else None),
        "loads": _load_rows(margin),
        "costs": Cost.objects.filter(shipment=shipment),
        "can_create": can(request.user, CostViewSet, "create"),
    }
    return render(request, "web/finance/shipment_cost.html", context)


# --- Payables ----------------------------------------------------------------------------


def _suppliers(request):
    if not is_company_side(request.user):
        return None
    return Partner.objects.filter(kind=PartnerKind.SUPPLIER).order_by("name", "pk")


def _ageing_total(rows: list[dict]) -> dict:
    keys = [key for key, *_rest in selectors.AGEING_BUCKETS] + ["total"]
    return {key: sum((row[key] for row in rows), ZERO) for key in keys}


@role_required(PayablesView, "get")
def payable_list(request):
    form = PayableFilterForm(request.GET or None, suppliers=_suppliers(request))
    receptions = selectors.payable_list(user=request.user)
    if form.is_valid():
        receptions = form.apply(receptions)
    page = paginate(request, receptions)
    for reception in page:
        reception.days = selectors.days_since(reception)
    ageing = selectors.payables_ageing(user=request.user)
    context = {
        **_tabs(request),
        "form": form,
        "page": page,
        "buckets": [label for _key, label, *_days in selectors.AGEING_BUCKETS],
        "ageing": [
            {"name": row["supplier_name"], "amounts": [row[key] for key, *_r in selectors.AGEING_BUCKETS]}
            | {"total": row["total"]}
            for row in ageing
        ],
        "ageing_total": _ageing_total(ageing),
        "can_pay": can(request.user, SupplierPaymentViewSet, "create"),
    }
    return render(request, "web/finance/payable_list.html", context)


@role_required(SupplierPaymentViewSet, "create")
def payable_pay(request, pk):
    reception = get_object_or_404(selectors.payable_list(user=request.user), pk=pk)
    form = SupplierPaymentForm(request.POST or None, initial={"amount_usd": reception.pending_usd})
    if request.method == "POST" and form.is_valid():
        payment = call_service(
            form,
            lambda: services.supplier_payment_record(
                user=request.user, reception=reception, **form.cleaned_data
            ),
        )
        if payment:
            messages.success(
                request,
                _("Payment of %(amount)s USD to %(supplier)s recorded.")
                % {"amount": payment.amount_usd, "supplier": reception.supplier.name},
            )
            return redirect("web:finance_payables")
    payments = selectors.supplier_payment_list(user=request.user).filter(reception=reception)
    context = {**_tabs(request), "form": form, "reception": reception, "payments": payments}
    return render(request, "web/finance/payable_pay.html", context)


# --- Receivables -------------------------------------------------------------------------


@role_required(ReceivablesView, "get")
def receivable_list(request):
    rows = selectors.receivable_list(user=request.user)
    context = {
        **_tabs(request),
        "rows": rows,
        "total_pending": sum((row.pending_usd for row in rows if row.pending_usd is not None), ZERO),
        "can_pay": can(request.user, BuyerPaymentViewSet, "create"),
    }
    return render(request, "web/finance/receivable_list.html", context)


@role_required(BuyerPaymentViewSet, "create")
def receivable_pay(request, pk):
    shipment = get_object_or_404(_shipments(request), pk=pk)
    form = BuyerPaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        payment = call_service(
            form,
            lambda: services.buyer_payment_record(user=request.user, shipment=shipment, **form.cleaned_data),
        )
        if payment:
            messages.success(
                request,
                _("Payment of %(amount)s USD for shipment %(code)s recorded.")
                % {"amount": payment.amount_usd, "code": shipment.code},
            )
            return redirect("web:finance_receivables")
    revenue = shipment_revenue_usd(shipment=shipment)
    received = services.shipment_received_usd(shipment)
    context = {
        **_tabs(request),
        "form": form,
        "shipment": shipment,
        "revenue": revenue,
        "received": received,
        "pending": None if revenue is None else revenue - received,
        "payments": selectors.buyer_payment_list(user=request.user).filter(shipment=shipment),
    }
    return render(request, "web/finance/receivable_pay.html", context)


urlpatterns = [
    path("finance/", finance_home, name="finance_home"),
    path("finance/costs/", cost_list, name="finance_cost_list"),
    path("finance/costs/new/", cost_create, name="finance_cost_create"),
    path("finance/costs/<int:pk>/edit/", cost_edit, name="finance_cost_edit"),
    path("finance/costs/<int:pk>/delete/", cost_delete, name="finance_cost_delete"),
    path("finance/lots/<int:pk>/cost/", lot_cost_page, name="finance_lot_cost"),
    path("finance/shipments/<int:pk>/cost/", shipment_cost_page, name="finance_shipment_cost"),
    path("finance/payables/", payable_list, name="finance_payables"),
    path("finance/payables/<int:pk>/pay/", payable_pay, name="finance_payable_pay"),
    path("finance/receivables/", receivable_list, name="finance_receivables"),
    path("finance/receivables/<int:pk>/pay/", receivable_pay, name="finance_receivable_pay"),
]
