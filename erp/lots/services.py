"""Writes on lots; every change lands in the lot's timeline."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from erp.codes import code_next
from erp.ledger.services import ledger_append
from erp.units import qq_to_kg

from .models import Lot, LotEvent, LotEventAction, LotStatus
from .signals import lot_status_changed

LOT_FIELDS = (
    "code",
    "owner",
    "variety",
    "form",
    "grade",
    "weight_kg",
    "humidity_percent",
    "status",
    "received_on",
    "metadata",
)


def _json(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def lot_record_event(
    *, lot: Lot, user, action: str, changes: dict | None = None, source: str = ""
) -> LotEvent:
    """One entry of the lot's timeline, appended to the company's traceability ledger too."""
    event = LotEvent.objects.create(lot=lot, actor=user, action=action, changes=changes or {}, source=source)
    ledger_append(
        kind=action,
        lot=lot,
        actor=getattr(user, "email", "") or source,
        payload={"event": event.pk, "changes": event.changes, "source": source},
        at=event.at,
    )
    return event


def _weight(fields: dict) -> dict:
    """Weights come in quintales or kilograms; they are kept in kilograms."""
    weight_qq = fields.pop("weight_qq", None)
    if weight_qq is not None and fields.get("weight_kg") is None:
        fields["weight_kg"] = qq_to_kg(weight_qq)
    return fields


# Codes the system gives out (LT-2026-00001); a user may name a lot otherwise, not like this.
GENERATED_CODE = re.compile(r"^LT-\d{4}-\d+$")


def _check_code(code: str, lot_pk: int | None = None) -> None:
    """Unique among all lots, deleted ones included (the database constraint covers them)."""
    if GENERATED_CODE.match(code):
        raise ValidationError(
            {"code": _("Codes like LT-2026-00001 are given by the system; leave it empty.")}
        )
    if Lot.all_objects.filter(code=code).exclude(pk=lot_pk).exists():
        raise ValidationError({"code": _("Another lot already has this code.")})


def _generated_code() -> str:
    code = code_next("LT", 5)
    while Lot.all_objects.filter(code=code).exists():  # only if numbers were taken by hand earlier
        code = code_next("LT", 5)
    return code


@transaction.atomic
def lot_create(*, user, **fields) -> Lot:
    fields = _weight(dict(fields))
    if fields.get("weight_kg") is None:
        raise ValidationError({"weight_qq": _("Give the weight in quintales (or weight_kg).")})
    lot = Lot(**{k: v for k, v in fields.items() if k in LOT_FIELDS})
    if lot.code:
        _check_code(lot.code)
    else:
        lot.code = _generated_code()
    lot.full_clean()
    lot.save()
    snapshot = {field: [None, _json(getattr(lot, field))] for field in LOT_FIELDS if field != "metadata"}
    lot_record_event(lot=lot, user=user, action=LotEventAction.CREATED, changes=snapshot)
    return lot


@transaction.atomic
def lot_update(*, lot: Lot, user, **changes) -> Lot:
    changes = _weight(dict(changes))
    unknown = set(changes) - set(LOT_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    return _lot_change(lot, user, changes)


@transaction.atomic
def lot_measure(
    *, lot: Lot, source: str, weight_kg: Decimal | None = None, humidity_percent: Decimal | None = None
) -> Lot:
    """A device measured the lot: its weight and humidity become the measured ones (those
    given), and the timeline says which device (``source``). The contract's volume rule
    applies as for a change by hand."""
    changes = {"weight_kg": weight_kg, "humidity_percent": humidity_percent}
    changes = {field: value for field, value in changes.items() if value is not None}
    return _lot_change(lot, None, changes, action=LotEventAction.MEASURED, source=source)


def _lot_change(lot: Lot, user, changes: dict, *, action: str | None = None, source: str = "") -> Lot:
    diff = {}
    for field, value in changes.items():
        old = getattr(lot, field)
        if old != value:
            diff[field] = [_json(old), _json(value)]
            setattr(lot, field, value)
    if not diff:
        return lot
    if "code" in diff:
        _check_code(lot.code, lot.pk)
    _check_contract_capacity(lot, diff)
    lot.full_clean()
    lot.save(update_fields=[*diff, "updated_at"])
    if action is None:
        action = LotEventAction.STATUS_CHANGED if set(diff) == {"status"} else LotEventAction.UPDATED
    lot_record_event(lot=lot, user=user, action=action, changes=diff, source=source)
    if "status" in diff:
        lot_status_changed.send(
            sender=Lot, lot=lot, user=user, before=diff["status"][0], after=diff["status"][1]
        )
    if diff.get("status", [None, None])[1] == LotStatus.REJECTED:
        from erp.notifications.triggers import on_lot_rejected

        on_lot_rejected(lot, user)
    return lot


def _check_contract_capacity(lot: Lot, diff: dict) -> None:
    """A heavier lot, or one no longer rejected, must still fit its contract's volume."""
    from erp.contracts.models import Contract
    from erp.contracts.services import contract_check_capacity

    counts_again = diff.get("status", [None, None])[0] == LotStatus.REJECTED
    if lot.contract_id and lot.status != LotStatus.REJECTED and ("weight_kg" in diff or counts_again):
        contract = Contract.objects.select_for_update().get(pk=lot.contract_id)
        previous = Lot.objects.get(pk=lot.pk)  # as it stands in the database
        if previous.status == LotStatus.REJECTED:
            previous.contract_id = None  # not counted yet
        contract_check_capacity(contract=contract, lot=previous, weight_kg=lot.weight_kg)


@transaction.atomic
def lot_delete(*, lot: Lot, user) -> None:
    lot.soft_delete()
    lot_record_event(lot=lot, user=user, action=LotEventAction.DELETED)


@transaction.atomic
def lot_restore(*, lot: Lot, user) -> Lot:
    lot.restore()
    lot_record_event(lot=lot, user=user, action=LotEventAction.RESTORED)
    return lot
