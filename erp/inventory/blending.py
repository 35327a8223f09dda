"""Splitting a lot into several and merging several into one (blending).

Weights add up exactly (Decimal): the parts of a split take from the parent, which keeps
the rest (a parent split whole is closed: soft-deleted, kept for its genealogy); a merge's
new lot weighs what its sources weighed, and the sources close. Stock moves with the
kilograms, warehouse by warehouse. Each edge is a ``LotLink``; parents and children get
SPLIT / MERGED timeline entries (and so ledger entries).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from erp.eudr.rules import eudr_mixing_refuse
from erp.lots.models import Lot, LotEventAction, LotLink, LotLinkKind
from erp.lots.services import lot_create, lot_delete, lot_record_event, lot_update

from .models import StockBalance
from .services import ZERO, _balance, _change

INHERITED = ("owner", "variety", "form", "grade", "humidity_percent", "received_on", "status")


def _move_stock(source: Lot, target: Lot, kg: Decimal) -> None:
    """``kg`` of the source's stock, fullest warehouse first, to the same warehouses."""
    for balance in StockBalance.objects.select_for_update().filter(lot=source).order_by("-kg"):
        take = min(balance.kg, kg)
        if take > ZERO:
            _change(balance, -take)
            _change(_balance(target, balance.warehouse), take)
            kg -= take
        if kg == ZERO:
            return


@transaction.atomic
def lot_split(*, lot: Lot, user, parts: list[Decimal]) -> list[Lot]:
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    parts = [Decimal(part) for part in parts]
    if len(parts) < 1 or any(part <= ZERO for part in parts):
        raise ValidationError({"parts": _("Give one or more weights above zero.")})
    total = sum(parts, ZERO)
    if total > lot.weight_kg:
        raise ValidationError(
            {
                "parts": _("The parts weigh %(total)s kg, more than the lot's %(weight)s kg.")
                % {"total": total, "weight": lot.weight_kg}
            }
        )
    children = []
    for part in parts:
        child = lot_create(user=user, weight_kg=part, **{f: getattr(lot, f) for f in INHERITED})
        LotLink.objects.create(parent=lot, child=child, kind=LotLinkKind.SPLIT, kg=part)
        _move_stock(lot, child, part)
        lot_record_event(
            lot=child, user=user, action=LotEventAction.SPLIT, changes={"from": lot.code, "kg": str(part)}
        )
        children.append(child)
    lot_record_event(
        lot=lot,
        user=user,
        action=LotEventAction.SPLIT,
        changes={"into": [c.code for c in children], "kg": str(total)},
    )
    rest = lot.weight_kg - total
    if rest > ZERO:
        lot_update(lot=lot, user=user, weight_kg=rest)
    else:
        lot_delete(lot=lot, user=user)
    return children


@transaction.atomic
def lot_merge(*, lots: list[Lot], user, code: str = "") -> Lot:
    if len({lot.pk for lot in lots}) < 2:
        raise ValidationError({"lots": _("Choose two or more lots to merge.")})
    lots = list(Lot.objects.select_for_update().filter(pk__in=[lot.pk for lot in lots]).order_by("pk"))
    first = lots[0]
    for field, message in (
        ("variety", _("Lots of different varieties cannot be merged.")),
        ("form", _("Wet and dry lots cannot be merged.")),
        ("owner_id", _("Lots of different owners cannot be merged.")),
    ):
        if len({getattr(lot, field) for lot in lots}) > 1:
            raise ValidationError({"lots": message})
    if any(lot.contract_id for lot in lots):
        raise ValidationError({"lots": _("A lot assigned to a contract cannot be merged; remove it first.")})
    eudr_mixing_refuse(lots=lots)
    total = sum((lot.weight_kg for lot in lots), ZERO)
    merged = lot_create(
        user=user,
        code=code,
        owner=first.owner,
        variety=first.variety,
        form=first.form,
        weight_kg=total,
        humidity_percent=_weighted_humidity(lots, total),
        status=first.status,
    )
    for lot in lots:
        LotLink.objects.create(parent=lot, child=merged, kind=LotLinkKind.MERGE, kg=lot.weight_kg)
        _move_stock(lot, merged, lot.weight_kg)
        lot_record_event(lot=lot, user=user, action=LotEventAction.MERGED, changes={"into": merged.code})
        lot_delete(lot=lot, user=user)
    lot_record_event(
        lot=merged, user=user, action=LotEventAction.MERGED, changes={"from": [lot.code for lot in lots]}
    )
    return merged


def _weighted_humidity(lots: list[Lot], total: Decimal) -> Decimal | None:
    if any(lot.humidity_percent is None for lot in lots):
        return None
    return (sum(lot.humidity_percent * lot.weight_kg for lot in lots) / total).quantize(Decimal("0.01"))
