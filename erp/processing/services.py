"""Writes of fermentation and drying, and their effects on the lot (through erp.lots.services).

Lot transitions (documented in docs/permissions/processing.md too):
- starting a fermentation or a drying run puts a ``received`` lot in ``drying`` (the lot is in
  process; LotStatus has no separate "fermenting");
- finishing a fermentation sets the lot's weight to the weight out (it stays ``baba``);
- finishing a drying run sets the lot's weight to the weight out, its humidity to the last
  reading, its form to ``seco`` and its status to ``dried``.
Every start, turn, reading and end is a FERMENTED / DRIED entry on the lot's timeline (and so in
the ledger). A lot is in at most one open step at a time.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.lots.models import Lot, LotEventAction, LotStatus, ProductForm
from erp.lots.services import lot_record_event, lot_update

from .models import DryingMethod, DryingReading, DryingRun, FermentationBatch, FermentationTurn

# Clocks of phones and scales drift: a time a few minutes ahead of the server is still "now".
CLOCK_TOLERANCE = timedelta(minutes=5)
STARTABLE = {LotStatus.RECEIVED, LotStatus.DRYING}
DRYABLE = {LotStatus.RECEIVED, LotStatus.DRYING, LotStatus.DRIED, LotStatus.STORED}


def standard_moisture_percent() -> Decimal:
    """The company's standard moisture (reception settings; INEN 176: 7 %)."""
    from erp.reception.services import reception_settings

    return reception_settings().standard_moisture_percent


def _s(value) -> str | None:
    return None if value is None else str(value)


def _check_not_future(field: str, at: datetime) -> None:
    if at > timezone.now() + CLOCK_TOLERANCE:
        raise ValidationError({field: _("This time is in the future.")})


def _lock_lot(lot: Lot, allowed: set) -> Lot:
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    if lot.status not in allowed:
        raise ValidationError(
            {
                "lot": _("A lot in status “%(status)s” cannot be processed.")
                % {"status": lot.get_status_display()}
            }
        )
    if FermentationBatch.objects.open().filter(lot=lot).exists():
        raise ValidationError({"lot": _("This lot is already in an open fermentation batch.")})
    if DryingRun.objects.open().filter(lot=lot).exists():
        raise ValidationError({"lot": _("This lot is already in an open drying run.")})
    return lot


def _check_weight_in(lot: Lot, weight_in_kg: Decimal) -> None:
    if weight_in_kg is not None and weight_in_kg > lot.weight_kg:
        raise ValidationError(
            {"weight_in_kg": _("More than the lot weighs (%(kg)s kg).") % {"kg": lot.weight_kg}}
        )


def _check_end(step, ended_at: datetime, weight_out_kg: Decimal, last_at: datetime | None) -> None:
    if not step.is_open:
        raise ValidationError({"ended_at": _("This step has already ended.")})
    _check_not_future("ended_at", ended_at)
    if ended_at < step.started_at:
        raise ValidationError({"ended_at": _("It cannot end before it started.")})
    if last_at is not None and ended_at < last_at:
        raise ValidationError({"ended_at": _("It cannot end before its last recorded entry.")})
    if weight_out_kg is None or weight_out_kg <= 0:
        raise ValidationError({"weight_out_kg": _("Give the weight out, above 0 kg.")})
    if weight_out_kg > step.weight_in_kg:
        raise ValidationError({"weight_out_kg": _("The weight out cannot exceed the weight in.")})


def _check_entry_time(step, at: datetime) -> None:
    if not step.is_open:
        raise ValidationError({"at": _("This step has already ended.")})
    if at < step.started_at:
        raise ValidationError({"at": _("This time is before the step started.")})
    _check_not_future("at", at)


def _start_lot(lot: Lot, user) -> None:
    if lot.status == LotStatus.RECEIVED:
        lot_update(lot=lot, user=user, status=LotStatus.DRYING)


def _lot_weight_follows(lot: Lot, user, weight_kg: Decimal, reason: str, **changes) -> Lot:
    old_weight = lot.weight_kg
    lot = lot_update(lot=lot, user=user, weight_kg=weight_kg, **changes)
    if lot.weight_kg != old_weight:
        from erp.inventory.services import stock_follow_lot

        stock_follow_lot(lot=lot, user=user, reason=reason)
    return lot


@transaction.atomic
def fermentation_start(
    *,
    user,
    lot: Lot,
    box: str,
    weight_in_kg: Decimal | None = None,
    started_at: datetime | None = None,
    notes: str = "",
) -> FermentationBatch:
    """Only wet cacao (en baba) ferments; the weight in defaults to the lot's weight."""
    lot = _lock_lot(lot, STARTABLE)
    if lot.form != ProductForm.WET:
        raise ValidationError({"lot": _("Only a lot of wet cacao (en baba) can be fermented.")})
    _check_weight_in(lot, weight_in_kg)
    batch = FermentationBatch(
        lot=lot,
        box=box,
        weight_in_kg=lot.weight_kg if weight_in_kg is None else weight_in_kg,
        started_at=started_at or timezone.now(),
        notes=notes,
        created_by=user,
    )
    _check_not_future("started_at", batch.started_at)
    batch.full_clean()
    batch.save()
    _start_lot(lot, user)
    changes = {"step": "start", "batch": batch.pk, "box": box, "weight_in_kg": _s(batch.weight_in_kg)}
    lot_record_event(lot=lot, user=user, action=LotEventAction.FERMENTED, changes=changes)
    return batch


@transaction.atomic
def fermentation_turn_add(
    *, batch: FermentationBatch, user, at: datetime, temperature_c: Decimal, notes: str = ""
) -> FermentationTurn:
    batch = FermentationBatch.objects.select_for_update().get(pk=batch.pk)
    _check_entry_time(batch, at)
    turn = FermentationTurn(batch=batch, at=at, temperature_c=temperature_c, notes=notes)
    turn.full_clean()
    turn.save()
    changes = {"step": "turn", "batch": batch.pk, "at": at.isoformat(), "temperature_c": _s(temperature_c)}
    lot_record_event(lot=batch.lot, user=user, action=LotEventAction.FERMENTED, changes=changes)
    return turn


@transaction.atomic
def fermentation_finish(
    *, batch: FermentationBatch, user, weight_out_kg: Decimal, ended_at: datetime | None = None
) -> FermentationBatch:
    """The lot now weighs what came out of the box."""
    batch = FermentationBatch.objects.select_for_update().select_related("lot").get(pk=batch.pk)
    ended_at = ended_at or timezone.now()
    last = batch.turns.order_by("-at").values_list("at", flat=True).first()
    _check_end(batch, ended_at, weight_out_kg, last)
    batch.ended_at, batch.weight_out_kg = ended_at, weight_out_kg
    batch.full_clean()
    batch.save(update_fields=["ended_at", "weight_out_kg"])
    lot = _lot_weight_follows(batch.lot, user, weight_out_kg, _("Fermentation finished"))
    changes = {
        "step": "end",
        "batch": batch.pk,
        "weight_in_kg": _s(batch.weight_in_kg),
        "weight_out_kg": _s(weight_out_kg),
        "yield_percent": _s(batch.yield_percent),
        "days": _s(batch.days),
        "outside_typical_days": batch.outside_typical_days,
    }
    lot_record_event(lot=lot, user=user, action=LotEventAction.FERMENTED, changes=changes)
    return batch


@transaction.atomic
def drying_start(
    *,
    user,
    lot: Lot,
    method: str = DryingMethod.SUN,
    weight_in_kg: Decimal | None = None,
    target_moisture_percent: Decimal | None = None,
    started_at: datetime | None = None,
    notes: str = "",
) -> DryingRun:
    """The target moisture defaults to the company's standard (7 %)."""
    lot = _lock_lot(lot, DRYABLE)
    _check_weight_in(lot, weight_in_kg)
    run = DryingRun(
        lot=lot,
        method=method,
        weight_in_kg=lot.weight_kg if weight_in_kg is None else weight_in_kg,
        target_moisture_percent=(
            standard_moisture_percent() if target_moisture_percent is None else target_moisture_percent
        ),
        started_at=started_at or timezone.now(),
        notes=notes,
        created_by=user,
    )
    _check_not_future("started_at", run.started_at)
    run.full_clean()
    run.save()
    if lot.status != LotStatus.DRYING:
        lot_update(lot=lot, user=user, status=LotStatus.DRYING)
    changes = {
        "step": "start",
        "run": run.pk,
        "method": method,
        "weight_in_kg": _s(run.weight_in_kg),
        "target_moisture_percent": _s(run.target_moisture_percent),
    }
    lot_record_event(lot=lot, user=user, action=LotEventAction.DRIED, changes=changes)
    return run


@transaction.atomic
def drying_reading_add(
    *, run: DryingRun, user, at: datetime, moisture_percent: Decimal, temperature_c: Decimal | None = None
) -> DryingReading:
    run = DryingRun.objects.select_for_update().get(pk=run.pk)
    _check_entry_time(run, at)
    return _add_reading(run, user, at, moisture_percent, temperature_c)


def _add_reading(run, user, at, moisture_percent, temperature_c) -> DryingReading:
    reading = DryingReading(run=run, at=at, moisture_percent=moisture_percent, temperature_c=temperature_c)
    reading.full_clean()
    reading.save()
    changes = {
        "step": "reading",
        "run": run.pk,
        "at": at.isoformat(),
        "moisture_percent": _s(moisture_percent),
    }
    if temperature_c is not None:
        changes["temperature_c"] = _s(temperature_c)
    lot_record_event(lot=run.lot, user=user, action=LotEventAction.DRIED, changes=changes)
    return reading


@transaction.atomic
def drying_finish(
    *,
    run: DryingRun,
    user,
    weight_out_kg: Decimal,
    ended_at: datetime | None = None,
    moisture_percent: Decimal | None = None,
    confirm_above_target: bool = False,
) -> DryingRun:
    """The run ends at the target moisture. ``moisture_percent``, when given, is a last reading
    taken at the end. Ending wetter than the target needs ``confirm_above_target`` and stays
    flagged on the run."""
    run = DryingRun.objects.select_for_update().select_related("lot").get(pk=run.pk)
    ended_at = ended_at or timezone.now()
    last = run.readings.order_by("-at", "-id").first()
    _check_end(run, ended_at, weight_out_kg, last.at if last else None)
    if moisture_percent is not None:
        last = _add_reading(run, user, ended_at, moisture_percent, None)
    if last is None:
        raise ValidationError({"moisture_percent": _("Give the moisture measured at the end.")})
    above = last.moisture_percent > run.target_moisture_percent
    if above and not confirm_above_target:
        raise ValidationError(
            {
                "confirm_above_target": _(
                    "The last moisture (%(last)s %%) is above the target (%(target)s %%): "
                    "confirm to end the run anyway."
                )
                % {"last": last.moisture_percent, "target": run.target_moisture_percent}
            }
        )
    run.ended_at, run.weight_out_kg, run.ended_above_target = ended_at, weight_out_kg, above
    run.full_clean()
    run.save(update_fields=["ended_at", "weight_out_kg", "ended_above_target"])
    lot = _lot_weight_follows(
        run.lot,
        user,
        weight_out_kg,
        _("Drying finished"),
        humidity_percent=last.moisture_percent,
        form=ProductForm.DRY,
        status=LotStatus.DRIED,
    )
    changes = {
        "step": "end",
        "run": run.pk,
        "weight_in_kg": _s(run.weight_in_kg),
        "weight_out_kg": _s(weight_out_kg),
        "yield_percent": _s(run.yield_percent),
        "moisture_percent": _s(last.moisture_percent),
        "ended_above_target": above,
    }
    lot_record_event(lot=lot, user=user, action=LotEventAction.DRIED, changes=changes)
    return run
