"""Stock writes: every change of a balance is a movement, recorded on the lot's timeline
(and so in the company's ledger). Balances are locked while they change, so two
concurrent outs cannot overdraw a lot; the database CHECK is the last word."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from erp.lots.models import IN_STOCK_STATUSES, Lot, LotEventAction
from erp.lots.services import lot_record_event

from .models import MovementKind, StockBalance, StockMovement, Warehouse

ZERO = Decimal("0")


def warehouse_default_for(center) -> Warehouse:
    """The center's default warehouse, created (named after it) the first time it is needed."""
    warehouse, _created = Warehouse.objects.get_or_create(
        center=center, is_default=True, defaults={"name": center.name[:120]}
    )
    return warehouse


def warehouse_create(*, name: str, center=None) -> Warehouse:
    warehouse = Warehouse(name=name, center=center)
    warehouse.full_clean()
    warehouse.save()
    return warehouse


def _balance(lot: Lot, warehouse: Warehouse) -> StockBalance:
    balance, _created = StockBalance.objects.get_or_create(lot=lot, warehouse=warehouse)
    return StockBalance.objects.select_for_update().get(pk=balance.pk)


def _change(balance: StockBalance, delta: Decimal, field: str = "kg") -> None:
    if balance.kg + delta < ZERO:
        raise ValidationError(
            {
                field: _("Only %(stock)s kg of lot %(lot)s are in %(warehouse)s.")
                % {"stock": balance.kg, "lot": balance.lot.code, "warehouse": balance.warehouse.name}
            }
        )
    balance.kg += delta
    try:
        with transaction.atomic():
            balance.save(update_fields=["kg"])
    except IntegrityError:  # the CHECK, should a writer get past the lock
        raise ValidationError({field: _("Stock cannot go below zero.")}) from None


def _record(lot: Lot, user, **movement) -> StockMovement:
    movement = StockMovement.objects.create(lot=lot, user=user, **movement)
    lot_record_event(
        lot=lot,
        user=user,
        action=LotEventAction.MOVED,
        changes={
            "movement": movement.kind,
            "kg": str(movement.kg),
            "from": movement.from_warehouse.name if movement.from_warehouse else None,
            "to": movement.to_warehouse.name if movement.to_warehouse else None,
            "reason": movement.reason,
        },
    )
    return movement


def _positive(kg) -> Decimal:
    kg = Decimal(kg)
    if kg <= ZERO:
        raise ValidationError({"kg": _("Give a weight above zero.")})
    return kg


@transaction.atomic
def stock_receive(*, lot: Lot, center, kg: Decimal, user, reference: str = "") -> StockMovement:
    """Goods in from a reception, at the center's default warehouse."""
    kg = _positive(kg)
    warehouse = warehouse_default_for(center)
    _change(_balance(lot, warehouse), kg)
    return _record(lot, user, kind=MovementKind.IN, to_warehouse=warehouse, kg=kg, reference=reference)


@transaction.atomic
def stock_transfer(
    *, lot: Lot, from_warehouse, to_warehouse, kg: Decimal, user, reason: str = ""
) -> StockMovement:
    kg = _positive(kg)
    if from_warehouse.pk == to_warehouse.pk:
        raise ValidationError({"to_warehouse": _("Choose another warehouse than the one it leaves.")})
    first, second = sorted([from_warehouse, to_warehouse], key=lambda w: w.pk)  # one lock order
    balances = {w.pk: _balance(lot, w) for w in (first, second)}
    _change(balances[from_warehouse.pk], -kg)
    _change(balances[to_warehouse.pk], kg)
    return _record(
        lot,
        user,
        kind=MovementKind.TRANSFER,
        from_warehouse=from_warehouse,
        to_warehouse=to_warehouse,
        kg=kg,
        reason=reason,
    )


@transaction.atomic
def stock_adjust(*, lot: Lot, warehouse, kg_delta: Decimal, user, reason: str) -> StockMovement:
    """A correction (a count, a loss) with its reason; negative takes stock away."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the stock is adjusted.")})
    kg_delta = Decimal(kg_delta)
    if kg_delta == ZERO:
        raise ValidationError({"kg": _("An adjustment changes the stock: give a weight other than zero.")})
    _change(_balance(lot, warehouse), kg_delta)
    side = {"to_warehouse": warehouse} if kg_delta > ZERO else {"from_warehouse": warehouse}
    return _record(lot, user, kind=MovementKind.ADJUSTMENT, kg=abs(kg_delta), reason=reason.strip(), **side)


@transaction.atomic
def stock_out(
    *, lot: Lot, warehouse, kg: Decimal, user, reason: str = "", reference: str = ""
) -> StockMovement:
    kg = _positive(kg)
    _change(_balance(lot, warehouse), -kg)
    return _record(
        lot, user, kind=MovementKind.OUT, from_warehouse=warehouse, kg=kg, reason=reason, reference=reference
    )


@transaction.atomic
def stock_follow_lot(*, lot: Lot, user, reason: str) -> StockMovement | None:
    """After a step changed the lot's weight (drying, a voided reception), its stock follows:
    one adjustment of the difference where most of it lies; a lot no longer in stock
    (rejected, dispatched) goes to zero. None when the lot is stocked nowhere or nothing
    changed."""
    balances = list(StockBalance.objects.select_for_update().filter(lot=lot).select_related("warehouse"))
    if not balances:
        return None
    target = lot.weight_kg if lot.status in IN_STOCK_STATUSES else ZERO
    delta = target - sum((b.kg for b in balances), ZERO)
    if delta == ZERO:
        return None
    if delta > ZERO:
        return stock_adjust(
            lot=lot,
            warehouse=max(balances, key=lambda b: b.kg).warehouse,
            kg_delta=delta,
            user=user,
            reason=reason,
        )
    last = None
    for balance in sorted(balances, key=lambda b: b.kg, reverse=True):  # take from the fullest first
        take = min(balance.kg, -delta)
        if take > ZERO:
            last = stock_adjust(
                lot=lot, warehouse=balance.warehouse, kg_delta=-take, user=user, reason=reason
            )
            delta += take
        if delta == ZERO:
            break
    return last


def stock_move(
    *, kind: str, lot: Lot, user, kg: Decimal, from_warehouse=None, to_warehouse=None, reason: str = ""
):
    """A movement asked for by a user (the API and the pages): a transfer or an out by whoever
    may move the lot, an adjustment (signed ``kg`` at ``to_warehouse``) by the company side.
    Goods come in only through a reception."""
    from erp.access import COMPANY_SIDE

    if kind == MovementKind.TRANSFER:
        if not (from_warehouse and to_warehouse):
            raise ValidationError({"to_warehouse": _("A transfer needs both warehouses.")})
        return stock_transfer(
            lot=lot, from_warehouse=from_warehouse, to_warehouse=to_warehouse, kg=kg, user=user, reason=reason
        )
    if kind == MovementKind.OUT:
        if not from_warehouse:
            raise ValidationError({"from_warehouse": _("Choose the warehouse it leaves.")})
        return stock_out(lot=lot, warehouse=from_warehouse, kg=kg, user=user, reason=reason)
    if kind != MovementKind.ADJUSTMENT:
        raise ValidationError({"kind": _("Goods come in through a reception.")})
    if user.role not in COMPANY_SIDE:
        raise ValidationError({"kind": _("Adjustments are made by the company's staff.")})
    if not to_warehouse:
        raise ValidationError({"to_warehouse": _("Choose the warehouse whose stock is adjusted.")})
    return stock_adjust(lot=lot, warehouse=to_warehouse, kg_delta=kg, user=user, reason=reason)


def stock_deliver(*, lot: Lot, user) -> list[StockMovement]:
    """A lot dispatched: what is left of its stock goes out, as a delivery to its contract
    when it has one."""
    reference = lot.contract.code if lot.contract_id else ""
    reason = _("Delivery to contract %(code)s") % {"code": reference} if reference else _("Dispatched")
    balances = StockBalance.objects.filter(lot=lot, kg__gt=0).select_related("warehouse")
    return [
        stock_out(lot=lot, warehouse=b.warehouse, kg=b.kg, user=user, reason=reason, reference=reference)
        for b in balances
    ]


def on_lot_status_changed(sender, *, lot, user, before, after, **kwargs) -> None:
    """Connected in apps.py: a dispatched lot leaves the stock."""
    if after == "dispatched":
        stock_deliver(lot=lot, user=user)
