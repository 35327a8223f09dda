"""Pages of the inventory module: the stock (summed and per lot), its movements, a new
movement, a lot's split and a merge of lots."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from erp.inventory import selectors, services
from erp.inventory.api import MovementViewSet, StockViewSet
from erp.inventory.blending import lot_merge, lot_split
from erp.lots.api import LotViewSet
from erp.lots.selectors import lot_list
from erp.web.access import can, role_required
from erp.web.forms_inventory import MergeForm, MovementForm, SplitForm
from erp.web.forms_support import call_service, paginate


@role_required(StockViewSet, "list")
def stock_page(request):
    balances = selectors.balances_visible_to(request.user).order_by("warehouse__name", "lot__code")
    warehouse = request.GET.get("warehouse", "")
    if warehouse.isdigit():
        balances = balances.filter(warehouse_id=warehouse)
    summary = selectors.stock_summary(balances)
    return render(
        request,
        "web/inventory/stock.html",
        {
            "summary": summary,
            "total_kg": sum((row["kg"] for row in summary), 0),
            "page": paginate(request, balances),
            "warehouses": selectors.warehouses_visible_to(request.user).order_by("name"),
            "warehouse": warehouse,
            "can_move": can(request.user, MovementViewSet, "create"),
            "can_merge": can(request.user, LotViewSet, "merge"),
        },
    )


@role_required(MovementViewSet, "list")
def movement_list(request):
    movements = selectors.movements_visible_to(request.user)
    return render(
        request,
        "web/inventory/movements.html",
        {"page": paginate(request, movements), "can_move": can(request.user, MovementViewSet, "create")},
    )


@role_required(MovementViewSet, "create")
def movement_create(request):
    warehouses = selectors.warehouses_visible_to(request.user).filter(is_active=True).order_by("name")
    form = MovementForm(request.POST or None, warehouses=warehouses)
    if request.method == "POST" and form.is_valid():
        movement = call_service(form, lambda: _move(request, form))
        if movement:
            messages.success(request, _("Movement recorded."))
            return redirect("web:inventory_movements")
    return render(request, "web/inventory/form.html", {"form": form, "title": _("New stock movement")})


def _move(request, form):
    from django.core.exceptions import ValidationError

    data = form.cleaned_data
    lot = lot_list(user=request.user).filter(code=data["lot"].strip()).first()
    if lot is None:
        raise ValidationError({"lot": _("No lot of yours has this code.")})
    return services.stock_move(
        kind=data["kind"],
        lot=lot,
        user=request.user,
        kg=data["kg"],
        from_warehouse=data["from_warehouse"],
        to_warehouse=data["to_warehouse"],
        reason=data["reason"],
    )


@role_required(LotViewSet, "split")
def lot_split_page(request, pk):
    lot = get_object_or_404(lot_list(user=request.user), pk=pk)
    form = SplitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        children = call_service(
            form, lambda: lot_split(lot=lot, user=request.user, parts=form.cleaned_data["parts"])
        )
        if children:
            codes = ", ".join(child.code for child in children)
            messages.success(
                request, _("Lot %(code)s split into %(codes)s.") % {"code": lot.code, "codes": codes}
            )
            return redirect("web:lot_detail", children[0].pk)
    title = _("Split lot %(code)s") % {"code": lot.code}
    return render(request, "web/inventory/form.html", {"form": form, "title": title, "lot": lot})


@role_required(LotViewSet, "merge")
def lot_merge_page(request):
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = form.cleaned_data["lots"]
        lots = list(lot_list(user=request.user).filter(code__in=codes))
        if len(lots) != len(codes):
            form.add_error("lots", _("Some of these lots do not exist or are not yours."))
        else:
            merged = call_service(
                form, lambda: lot_merge(lots=lots, user=request.user, code=form.cleaned_data["code"])
            )
            if merged:
                messages.success(request, _("Lots merged into %(code)s.") % {"code": merged.code})
                return redirect("web:lot_detail", merged.pk)
    return render(request, "web/inventory/form.html", {"form": form, "title": _("Merge lots")})


urlpatterns = [
    path("inventory/", stock_page, name="inventory_stock"),
    path("inventory/movements/", movement_list, name="inventory_movements"),
    path("inventory/movements/new/", movement_create, name="inventory_movement_create"),
    path("lots/<int:pk>/split/", lot_split_page, name="inventory_lot_split"),
    path("lots/merge/", lot_merge_page, name="inventory_lot_merge"),
]
