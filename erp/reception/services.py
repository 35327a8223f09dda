"""Writes of the reception module: a reception (weights, discounts, price, amount) that
creates its lot or adds to an open one, brings the stock in, and its voiding.

The lot takes the **net** weight: it is the cacao that physically entered the center. The
paid weight is a financial figure (what the supplier is paid for) and stays on the reception.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.access import is_company_side, user_partner_id
from erp.codes import code_next
from erp.contracts.models import Contract, ContractStatus, PriceType
from erp.lots.models import Lot, LotEventAction, LotStatus
from erp.lots.services import lot_create, lot_record_event, lot_update
from erp.partners.models import Partner, PartnerKind
from erp.units import CENT, price_per_quintal

from .formulas import amount_usd, paid_weight_breakdown
from .models import PriceMode, Reception, ReceptionSettings

HUNDRED = Decimal("100")


def reception_settings() -> ReceptionSettings:
    row = ReceptionSettings.objects.first()
    return row if row is not None else ReceptionSettings()


@dataclass(frozen=True)
class Price:
    usd_per_qq: Decimal
    spot_usd_per_tm: Decimal | None = None
    differential_usd_per_tm: Decimal | None = None
    contract: Contract | None = None


def supplier_active_contract(supplier: Partner, variety: str) -> Contract | None:
    return (
        Contract.objects.filter(counterparty=supplier, status=ContractStatus.ACTIVE, variety=variety)
        .order_by("-signed_on", "-id")
        .first()
    )


def reception_price(
    *,
    mode: str,
    supplier: Partner,
    variety: str,
    price_usd_per_qq: Decimal | None = None,
    spot_usd_per_tm: Decimal | None = None,
    differential_usd_per_tm: Decimal | None = None,
) -> Price:
    """The price applied: typed (USD/qq), spot less a differential (USD/TM), or the
    supplier's active contract of that variety (its fixed USD/TM price, or its differential
    under the spot typed)."""
    if mode == PriceMode.FIXED:
        if price_usd_per_qq is None or price_usd_per_qq <= 0:
            raise ValidationError({"price_usd_per_qq": _("Give the price in USD per quintal, above 0.")})
        return Price(usd_per_qq=Decimal(price_usd_per_qq).quantize(CENT))
    if mode == PriceMode.SPOT:
        if differential_usd_per_tm is None:
            raise ValidationError({"differential_usd_per_tm": _("Give the differential in USD/TM.")})
        return _spot_price(spot_usd_per_tm, Decimal(differential_usd_per_tm), None)
    if mode == PriceMode.CONTRACT:
        contract = supplier_active_contract(supplier, variety)
        if contract is None:
            raise ValidationError({"price_mode": _("This supplier has no active contract for this variety.")})
        if contract.price_type == PriceType.FIXED:
            return Price(
                usd_per_qq=price_per_quintal(contract.price_usd_per_tm, Decimal("0")), contract=contract
            )
        return _spot_price(spot_usd_per_tm, contract.differential_usd_per_tm, contract)
    raise ValidationError({"price_mode": _("Choose fixed, spot or contract.")})


def _spot_price(spot, differential: Decimal, contract) -> Price:
    if spot is None or spot <= 0:
        raise ValidationError({"spot_usd_per_tm": _("Give the spot price in USD/TM, above 0.")})
    per_qq = price_per_quintal(Decimal(spot), differential)
    if per_qq <= 0:
        raise ValidationError({"differential_usd_per_tm": _("The differential leaves no price to pay.")})
    return Price(per_qq, Decimal(spot), differential, contract)


def _check_parties(user, center: Partner, supplier: Partner) -> None:
    errors = {}
    if center.kind != PartnerKind.CENTER:
        errors["center"] = _("Choose a collection center.")
    elif not is_company_side(user) and center.pk != user_partner_id(user):
        errors["center"] = _("You receive only at your own collection center.")
    if supplier.kind != PartnerKind.SUPPLIER:
        errors["supplier"] = _("Choose a supplier.")
    if errors:
        raise ValidationError(errors)


def _from_reading(user, reading, center: Partner, values: dict) -> dict:
    """Weights and moisture of an IoT scale reading (those it measured) replace the typed ones."""
    from iot.selectors import readings_visible_to

    if not readings_visible_to(user).filter(pk=reading.pk).exists():
        raise ValidationError({"reading": _("This reading does not exist.")})
    if Reception.objects.filter(reading=reading).exists() or reading.lot_id is not None:
        raise ValidationError({"reading": _("This reading is already assigned.")})
    if reading.device.location_id and reading.device.location_id != center.pk:
        raise ValidationError({"reading": _("This reading was weighed at another collection center.")})
    if reading.net_kg is None:
        raise ValidationError({"reading": _("This reading has no net weight.")})
    measured = {
        "gross_weight_kg": reading.gross_kg,
        "tare_weight_kg": reading.tare_kg,
        "net_weight_kg": reading.net_kg,
        "moisture_percent": reading.moisture_percent,
    }
    values.update({field: value for field, value in measured.items() if value is not None})
    if reading.gross_kg is None:  # the scale sent only the net
        values["gross_weight_kg"] = reading.net_kg + (values.get("tare_weight_kg") or Decimal("0"))
    return values


def reception_weights(*, gross: Decimal | None, tare: Decimal | None, net: Decimal | None) -> tuple:
    """(gross, tare, net): the net is gross − tare when not given, and must equal it when given."""
    errors = {}
    tare = Decimal("0") if tare is None else Decimal(tare)
    if gross is None or gross <= 0:
        errors["gross_weight_kg"] = _("Give the gross weight in kg, above 0.")
    if tare < 0:
        errors["tare_weight_kg"] = _("The tare cannot be negative.")
    if errors:
        raise ValidationError(errors)
    computed = Decimal(gross) - tare
    if computed <= 0:
        raise ValidationError({"tare_weight_kg": _("The tare must be below the gross weight.")})
    if net is not None and Decimal(net).quantize(CENT) != computed.quantize(CENT):
        raise ValidationError(
            {
                "net_weight_kg": _("Gross − tare is %(net)s kg, not %(given)s kg.")
                % {"net": computed, "given": net}
            }
        )
    return Decimal(gross), tare, computed


def reception_percents(*, moisture: Decimal | None, impurities: Decimal | None) -> tuple:
    errors = {}
    if moisture is None or not 0 <= moisture <= 100:
        errors["moisture_percent"] = _("Give the moisture between 0 and 100 %.")
    if impurities is None or not 0 <= impurities < 100:
        errors["impurities_percent"] = _("Give the impurities from 0 up to below 100 %.")
    if errors:
        raise ValidationError(errors)
    return Decimal(moisture), Decimal(impurities)


def _check_open_lot(lot: Lot, center: Partner, form: str, variety: str) -> None:
    if (
        lot.owner_id != center.pk
        or lot.form != form
        or lot.variety != variety
        or lot.status != LotStatus.RECEIVED
        or lot.deleted_at is not None
    ):
        raise ValidationError(
            {"lot": _("Add only to an open (received) lot of this center, form and variety.")}
        )


def open_lots(*, center: Partner, form: str | None = None, variety: str | None = None):
    lots = Lot.objects.filter(owner=center, status=LotStatus.RECEIVED)
    if form:
        lots = lots.filter(form=form)
    if variety:
        lots = lots.filter(variety=variety)
    return lots


@transaction.atomic
def reception_create(
    *,
    user,
    center: Partner,
    supplier: Partner,
    form: str,
    variety: str,
    price_mode: str,
    gross_weight_kg: Decimal | None = None,
    tare_weight_kg: Decimal | None = None,
    net_weight_kg: Decimal | None = None,
    moisture_percent: Decimal | None = None,
    impurities_percent: Decimal | None = Decimal("0"),
    sacks: int = 0,
    received_at: datetime | None = None,
    price_usd_per_qq: Decimal | None = None,
    spot_usd_per_tm: Decimal | None = None,
    differential_usd_per_tm: Decimal | None = None,
    lot: Lot | None = None,
    reading=None,
    notes: str = "",
) -> Reception:
    _check_parties(user, center, supplier)
    values = {
        "gross_weight_kg": gross_weight_kg,
        "tare_weight_kg": tare_weight_kg,
        "net_weight_kg": net_weight_kg,
        "moisture_percent": moisture_percent,
    }
    if reading is not None:
        values = _from_reading(user, reading, center, values)
        values["net_weight_kg"] = None  # computed from the reading's gross and tare
    gross, tare, net = reception_weights(
        gross=values["gross_weight_kg"], tare=values["tare_weight_kg"], net=values["net_weight_kg"]
    )
    moisture, impurities = reception_percents(
        moisture=values["moisture_percent"],
        impurities=Decimal("0") if impurities_percent is None else impurities_percent,
    )
    if lot is not None:
        lot = Lot.objects.select_for_update().get(pk=lot.pk)
        _check_open_lot(lot, center, form, variety)
    price = reception_price(
        mode=price_mode,
        supplier=supplier,
        variety=variety,
        price_usd_per_qq=price_usd_per_qq,
        spot_usd_per_tm=spot_usd_per_tm,
        differential_usd_per_tm=differential_usd_per_tm,
    )
    standard = reception_settings().standard_moisture_percent
    paid = paid_weight_breakdown(
        net_kg=net,
        moisture_percent=moisture,
        impurities_percent=impurities,
        standard_moisture_percent=standard,
    )
    received_at = received_at or timezone.now()
    if received_at > timezone.now() + timedelta(minutes=5):  # a scale's clock may run a little ahead
        raise ValidationError({"received_at": _("The reception cannot be in the future.")})
    reception = Reception(
        number=code_next("REC", 5),
        center=center,
        supplier=supplier,
        received_at=received_at,
        form=form,
        variety=variety,
        gross_weight_kg=gross,
        tare_weight_kg=tare,
        net_weight_kg=net,
        sacks=sacks or 0,
        moisture_percent=moisture,
        impurities_percent=impurities,
        standard_moisture_percent=standard,
        moisture_discount_kg=paid.moisture_discount_kg,
        impurities_discount_kg=paid.impurities_discount_kg,
        price_mode=price_mode,
        spot_usd_per_tm=price.spot_usd_per_tm,
        differential_usd_per_tm=price.differential_usd_per_tm,
        contract=price.contract,
        price_usd_per_qq=price.usd_per_qq,
        paid_weight_kg=paid.paid_kg,
        amount_usd=amount_usd(paid_kg=paid.paid_kg, price_usd_per_qq=price.usd_per_qq),
        reading=reading,
        notes=notes or "",
        created_by=user,
    )
    reception.lot = _lot_for(user, reception, lot)
    reception.full_clean()
    reception.save()
    lot_record_event(
        lot=reception.lot,
        user=user,
        action=LotEventAction.RECEIVED,
        changes=_event_changes(reception),
        source=reception.number,
    )
    _stock_in(reception, user)
    return reception


def _lot_for(user, reception: Reception, lot: Lot | None) -> Lot:
    if lot is None:
        return lot_create(
            user=user,
            owner=reception.center,
            form=reception.form,
            variety=reception.variety,
            weight_kg=reception.net_weight_kg,
            humidity_percent=reception.moisture_percent,
            status=LotStatus.RECEIVED,
            received_on=timezone.localdate(reception.received_at),
        )
    weight = lot.weight_kg + reception.net_weight_kg
    changes = {"weight_kg": weight}
    if lot.humidity_percent is not None:  # the mix's moisture, weighted by net weight
        mixed = (
            lot.humidity_percent * lot.weight_kg + reception.moisture_percent * reception.net_weight_kg
        ) / weight
        changes["humidity_percent"] = mixed.quantize(CENT)
    return lot_update(lot=lot, user=user, **changes)


def _event_changes(reception: Reception) -> dict:
    return {
        "reception": reception.number,
        "supplier": reception.supplier_id,
        "net_weight_kg": str(reception.net_weight_kg),
        "moisture_percent": str(reception.moisture_percent),
        "impurities_percent": str(reception.impurities_percent),
        "paid_weight_kg": str(reception.paid_weight_kg),
    }


def _stock_in(reception: Reception, user) -> None:
    from erp.inventory.services import stock_receive

    stock_receive(
        lot=reception.lot,
        center=reception.center,
        kg=reception.net_weight_kg,
        user=user,
        reference=reception.number,
    )


@transaction.atomic
def reception_void(*, reception: Reception, user, reason: str) -> Reception:
    """Void a reception: its net weight leaves its lot again (and the stock), the lot's
    timeline says so; the row stays, marked void, with who and why. Only while the lot is
    still open (received): once it has been dried, stored or split, the reception's cacao is
    no longer a separable quantity, and a stock adjustment is the correction."""
    reception = Reception.objects.select_for_update().select_related("lot").get(pk=reception.pk)
    if reception.is_voided:
        raise ValidationError({"reception": _("This reception is already void.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the reception is voided.")})
    lot = Lot.objects.select_for_update().get(pk=reception.lot_id)
    if lot.status != LotStatus.RECEIVED or lot.weight_kg < reception.net_weight_kg:
        raise ValidationError(
            {
                "reception": _(
                    "Lot %(lot)s has moved on since (drying, stored, split or dispatched): correct it "
                    "with a stock adjustment instead."
                )
                % {"lot": lot.code}
            }
        )
    if reception.payments.exists():  # erp.finance's supplier payments
        raise ValidationError(
            {"reception": _("Payments to the supplier are recorded for this reception: it cannot be voided.")}
        )
    reason = reason.strip()
    remaining = lot.weight_kg - reception.net_weight_kg
    if remaining > 0:
        lot = lot_update(lot=lot, user=user, weight_kg=remaining)
    else:  # the lot was this reception only: it is rejected, its weight kept for the record
        lot = lot_update(lot=lot, user=user, status=LotStatus.REJECTED)
    _stock_out(reception, lot, user, reason)
    lot_record_event(
        lot=lot,
        user=user,
        action=LotEventAction.UPDATED,
        changes={"reception_voided": reception.number, "reason": reason},
        source=reception.number,
    )
    reception.voided_at, reception.voided_by, reception.void_reason = timezone.now(), user, reason
    reception.save(update_fields=["voided_at", "voided_by", "void_reason"])
    return reception


def _stock_out(reception: Reception, lot: Lot, user, reason: str) -> None:
    """The lot's stock follows its new weight (the voided net weight leaves it)."""
    from erp.inventory.services import stock_follow_lot

    stock_follow_lot(
        lot=lot,
        user=user,
        reason=(
            _("Reception %(number)s voided: %(reason)s") % {"number": reception.number, "reason": reason}
        )[:200],
    )
