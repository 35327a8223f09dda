"""Writes of finance: costs (laid on a lot or a shipment), payments to suppliers for their
receptions and from buyers for their shipments. A payment never exceeds what is pending:
the reception's (or shipment's) row is locked while it is checked, so two payments at once
cannot both take the last dollar. Every write is in the audit log."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.export.models import Shipment
from erp.reception.models import Reception
from triboka.audit.services import audit_record, audit_record_changes

from .costing import ZERO, money, shipment_revenue_usd
from .models import BuyerPayment, Cost, SupplierPayment

COST_FIELDS = ("kind", "lot", "shipment", "amount_usd", "description", "incurred_on")


def _values(instance, fields) -> dict:
    return {name: getattr(instance, name) for name in fields}


def _amount(value, field: str = "amount_usd") -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Give an amount in USD.")}) from None
    if not amount.is_finite() or amount <= ZERO:
        raise ValidationError({field: _("Give an amount above zero.")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Give the amount to the cent.")})
    return amount


def _not_future(value: date, field: str) -> None:
    if value and value > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


# --- Costs -------------------------------------------------------------------------------


def cost_check(cost: Cost, *, lot_chosen: bool = True) -> None:
    """The rules of a cost, raised as field errors (the services and the admin's form).
    ``lot_chosen``: the lot is given now (a cost laid earlier on a lot since split or
    blended stays correctable)."""
    if (cost.lot_id is None) == (cost.shipment_id is None):
        message = _("Lay the cost on one lot or on one shipment.")
        raise ValidationError({"lot": message, "shipment": message})
    if lot_chosen and cost.lot_id is not None and cost.lot.is_deleted:
        raise ValidationError(
            {
                "lot": _("Lot %(lot)s is closed: lay the cost on the lots made from it.")
                % {"lot": cost.lot.code}
            }
        )
    cost.amount_usd = _amount(cost.amount_usd)
    _not_future(cost.incurred_on, "incurred_on")
    cost.description = (cost.description or "").strip()
    cost.full_clean()


@transaction.atomic
def cost_create(
    *,
    user,
    kind: str,
    amount_usd: Decimal,
    incurred_on: date,
    lot=None,
    shipment=None,
    description: str = "",
) -> Cost:
    cost = Cost(
        kind=kind,
        amount_usd=amount_usd,
        incurred_on=incurred_on,
        lot=lot,
        shipment=shipment,
        description=description,
        created_by=user,
    )
    cost_check(cost)
    cost.save()
    audit_record(action="finance.cost.create", target=cost, actor=user, after=_values(cost, COST_FIELDS))
    return cost


@transaction.atomic
def cost_update(*, cost: Cost, user, **changes) -> Cost:
    unknown = set(changes) - set(COST_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    cost = Cost.objects.select_for_update().get(pk=cost.pk)
    before = _values(cost, COST_FIELDS)
    for name, value in changes.items():
        setattr(cost, name, value)
    cost_check(cost, lot_chosen="lot" in changes)
    cost.save(update_fields=list(COST_FIELDS))
    audit_record_changes(
        action="finance.cost.update", target=cost, actor=user, before=before, after=_values(cost, COST_FIELDS)
    )
    return cost


@transaction.atomic
def cost_delete(*, cost: Cost, user) -> None:
    audit_record(action="finance.cost.delete", target=cost, actor=user, before=_values(cost, COST_FIELDS))
    cost.delete()


# --- Supplier payments -------------------------------------------------------------------


def reception_paid_usd(reception: Reception) -> Decimal:
    return SupplierPayment.objects.filter(reception=reception).aggregate(s=Sum("amount_usd"))["s"] or ZERO


@transaction.atomic
def supplier_payment_record(
    *,
    user,
    reception: Reception,
    amount_usd: Decimal,
    paid_on: date,
    method: str,
    reference: str = "",
) -> SupplierPayment:
    """Pay a valid reception, wholly or in part, never beyond what is pending."""
    reception = Reception.objects.select_for_update().get(pk=reception.pk)
    if reception.is_voided:
        raise ValidationError(
            {"reception": _("Reception %(number)s is void: it is not paid.") % {"number": reception.number}}
        )
    amount = _amount(amount_usd)
    pending = reception.amount_usd - reception_paid_usd(reception)
    if amount > pending:
        raise ValidationError(
            {
                "amount_usd": _("Only %(pending)s USD of reception %(number)s are pending.")
                % {"pending": money(pending), "number": reception.number}
            }
        )
    _not_future(paid_on, "paid_on")
    payment = SupplierPayment(
        reception=reception,
        amount_usd=amount,
        paid_on=paid_on,
        method=method,
        reference=(reference or "").strip(),
        created_by=user,
    )
    return _payment_save(
        payment,
        user,
        "finance.supplier_payment.record",
        ("reception", "amount_usd", "paid_on", "method", "reference"),
    )


# --- Buyer payments ----------------------------------------------------------------------


def shipment_received_usd(shipment: Shipment) -> Decimal:
    return BuyerPayment.objects.filter(shipment=shipment).aggregate(s=Sum("amount_usd"))["s"] or ZERO


@transaction.atomic
def buyer_payment_record(
    *, user, shipment: Shipment, amount_usd: Decimal, received_on: date, reference: str = ""
) -> BuyerPayment:
    """Money from the buyer for a priced shipment, never beyond what is pending of its invoice."""
    shipment = Shipment.objects.select_for_update().select_related("sales_contract").get(pk=shipment.pk)
    amount = _amount(amount_usd)
    revenue = shipment_revenue_usd(shipment=shipment)
    if revenue is None:
        raise ValidationError(
            {
                "shipment": _(
                    "Sales contract %(code)s has no price yet: nothing is due for shipment %(shipment)s."
                )
                % {"code": shipment.sales_contract.code, "shipment": shipment.code}
            }
        )
    pending = revenue - shipment_received_usd(shipment)
    if amount > pending:
        raise ValidationError(
            {
                "amount_usd": _("Only %(pending)s USD of shipment %(code)s are pending.")
                % {"pending": money(pending), "code": shipment.code}
            }
        )
    _not_future(received_on, "received_on")
    payment = BuyerPayment(
        shipment=shipment,
        amount_usd=amount,
        received_on=received_on,
        reference=(reference or "").strip(),
        created_by=user,
    )
    return _payment_save(
        payment, user, "finance.buyer_payment.record", ("shipment", "amount_usd", "received_on", "reference")
    )


def _payment_save(payment, user, action: str, audited: tuple):
    """Validates and saves a payment checked against what is pending, and audits it."""
    payment.full_clean()
    payment.save()
    audit_record(action=action, target=payment, actor=user, after=_values(payment, audited))
    return payment
