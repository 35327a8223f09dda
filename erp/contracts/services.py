"""Writes on contracts: creation with its code, edits, the status workflow, lots."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.codes import code_next
from master.webhooks import events as webhook_events
from triboka.errors import ApplicationError

from .models import DELIVERING_STATUSES, OPEN_STATUSES, TRANSITIONS, Contract, ContractStatus

CONTRACT_FIELDS = (
    "exporter",
    "counterparty",
    "variety",
    "signed_on",
    "volume_tm",
    "price_type",
    "price_usd_per_tm",
    "differential_usd_per_tm",
    "quality_terms",
    "delivery_from",
    "delivery_to",
    "notes",
)


@transaction.atomic
def contract_create(*, user, **fields) -> Contract:
    contract = Contract(**{k: v for k, v in fields.items() if k in CONTRACT_FIELDS}, created_by=user)
    contract.full_clean(exclude=["code"])
    contract.code = code_next("CT", 4)
    contract.save()
    return contract


def contract_update(*, contract: Contract, **changes) -> Contract:
    if contract.status not in OPEN_STATUSES:
        raise ApplicationError(
            _("A %(status)s contract cannot be edited.") % {"status": contract.get_status_display().lower()}
        )
    unknown = set(changes) - set(CONTRACT_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    for field, value in changes.items():
        setattr(contract, field, value)
    contract.full_clean()
    contract.save(update_fields=[*changes, "updated_at"])
    return contract


@transaction.atomic
def contract_transition(*, contract: Contract, to_status: str, user=None) -> Contract:
    """Move a contract along draft -> active -> in_execution -> fulfilled, or cancel it."""
    current = ContractStatus(contract.status)
    if to_status not in TRANSITIONS[current]:
        allowed = ", ".join(f"«{ContractStatus(s).label}»" for s in sorted(TRANSITIONS[current])) or _("none")
        raise ApplicationError(
            _("A contract cannot go from «%(current)s» to «%(target)s»; allowed: %(allowed)s.")
            % {"current": current.label, "target": ContractStatus(to_status).label, "allowed": allowed},
            code="illegal_transition",
        )
    contract.status = to_status
    contract.status_changed_at = timezone.now()
    contract.save(update_fields=["status", "status_changed_at", "updated_at"])
    from erp.notifications.triggers import on_contract_status

    on_contract_status(contract, user)
    webhook_events.contract_status_changed(contract, previous_status=current, user=user)
    return contract


def contract_delete(*, contract: Contract) -> None:
    contract.soft_delete()


def contract_restore(*, contract: Contract) -> Contract:
    contract.restore()
    return contract


def contract_delivered_kg(contract: Contract) -> Decimal:
    from erp.lots.models import Lot, LotStatus

    total = (
        Lot.objects.filter(contract=contract)
        .exclude(status=LotStatus.REJECTED)
        .aggregate(total=Sum("weight_kg"))["total"]
    )
    return total or Decimal("0")


def delivered_kg_expression():
    """Kilograms delivered under each contract (its live, non-rejected lots), as a subquery
    to annotate contracts with: no join, no GROUP BY, and it can be aggregated further."""
    from erp.lots.models import Lot, LotStatus

    delivered = (
        Lot.objects.filter(contract=OuterRef("pk"))
        .exclude(status=LotStatus.REJECTED)
        .values("contract")
        .annotate(total=Sum("weight_kg"))
        .values("total")
    )
    return Coalesce(Subquery(delivered), Value(Decimal("0")), output_field=DecimalField())


def contract_check_capacity(*, contract: Contract, lot, weight_kg: Decimal) -> None:
    """Refuse (409) when ``lot`` at ``weight_kg`` would take the contract past its volume
    plus CONTRACT_VOLUME_TOLERANCE_PERCENT. The caller holds the contract's row lock."""
    tolerance = Decimal(settings.CONTRACT_VOLUME_TOLERANCE_PERCENT) / 100
    limit_kg = contract.volume_tm * 1000 * (1 + tolerance)
    others_kg = contract_delivered_kg(contract) - (lot.weight_kg if lot.contract_id == contract.pk else 0)
    if others_kg + weight_kg > limit_kg:
        raise ApplicationError(
            _(
                "Lot %(lot)s would take contract %(contract)s past its volume (%(volume)s TM plus "
                "%(tolerance)s%% tolerance)."
            )
            % {
                "lot": lot.code,
                "contract": contract.code,
                "volume": contract.volume_tm,
                "tolerance": settings.CONTRACT_VOLUME_TOLERANCE_PERCENT,
            },
            code="volume_exceeded",
        )


@transaction.atomic
def contract_assign_lot(*, contract: Contract, lot, user):
    """Put a lot under a contract. Refused (409): a closed contract; a rejected lot; a lot of
    a partner that is not party to the contract; a lot already dispatched under another
    contract or delivered under a fulfilled one; or one that would take the contract past its
    volume plus CONTRACT_VOLUME_TOLERANCE_PERCENT."""
    from erp.lots.services import lot_record_event

    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if lot.contract_id == contract.pk:
        return lot
    if contract.status not in DELIVERING_STATUSES:
        raise ApplicationError(_("Lots go to active or in-execution contracts only."), code="contract_closed")
    if lot.status == "rejected":
        raise ApplicationError(_("A rejected lot cannot be delivered under a contract."), code="lot_rejected")
    if lot.owner_id not in (contract.counterparty_id, contract.exporter_id):
        raise ApplicationError(
            _("Lot %(lot)s belongs to a partner that is not party to contract %(contract)s.")
            % {"lot": lot.code, "contract": contract.code},
            code="lot_of_another_partner",
        )
    if lot.contract_id and (lot.status == "dispatched" or lot.contract.status == ContractStatus.FULFILLED):
        raise ApplicationError(
            _("Lot %(lot)s was already delivered under contract %(contract)s.")
            % {"lot": lot.code, "contract": lot.contract.code},
            code="lot_delivered_elsewhere",
        )
    contract_check_capacity(contract=contract, lot=lot, weight_kg=lot.weight_kg)
    previous = lot.contract.code if lot.contract_id else None
    lot.contract = contract
    lot.save(update_fields=["contract", "updated_at"])
    lot_record_event(lot=lot, user=user, action="assigned", changes={"contract": [previous, contract.code]})
    return lot
