"""Writes of sales and export: sales contracts (status, price fixing, the purchase contracts
behind them), shipments and their containers, lots loaded from inventory and unloaded back,
and the documents uploaded for a shipment.

A lot loaded into a container leaves its warehouse through ``stock_out`` (referenced with the
shipment's code): stock never goes below zero and the lot's timeline and the ledger record
the movement. Every create, change and delete is written to the audit log.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.codes import code_next
from erp.contracts.models import ContractStatus, PriceType
from erp.files import stored_file_create
from erp.lots.models import Lot, LotStatus, ProductForm
from erp.partners.models import PartnerKind
from erp.units import CENT
from triboka.audit.services import audit_record, audit_record_changes

from .containers import iso6346_normalize
from .models import (
    Container,
    ContainerLot,
    SalesContract,
    SalesStatus,
    Shipment,
    ShipmentDocument,
    ShipmentDocumentKind,
    ShipmentStatus,
)

SALES_FIELDS = (
    "buyer",
    "exporter",
    "buyer_reference",
    "incoterm",
    "variety",
    "quantity_tm",
    "price_type",
    "price_usd_per_tm",
    "differential_usd_per_tm",
    "quality_terms",
    "shipment_from",
    "shipment_to",
    "destination_port",
    "destination_country",
    "notes",
)
SHIPMENT_FIELDS = (
    "booking_number",
    "shipping_line",
    "port_of_loading",
    "port_of_discharge",
    "vessel",
    "voyage",
    "bill_of_lading",
    "etd",
    "eta",
    "notes",
)
CHANGEABLE_ONCE_SHIPPED = ("eta", "port_of_discharge", "notes")
CONTAINER_FIELDS = ("number", "seal_number", "size")

S, H = SalesStatus, ShipmentStatus
SALES_TRANSITIONS = {
    S.DRAFT: {S.OPEN, S.CANCELLED},
    S.OPEN: {S.FULFILLED, S.CANCELLED},
    S.FULFILLED: set(),
    S.CANCELLED: set(),
}
SHIPMENT_TRANSITIONS = {
    H.PLANNED: {H.BOOKED, H.CANCELLED},
    H.BOOKED: {H.LOADING, H.CANCELLED},
    H.LOADING: {H.SHIPPED, H.CANCELLED},
    H.SHIPPED: {H.ARRIVED},
    H.ARRIVED: set(),
    H.CANCELLED: set(),
}
# A shipment's containers and lots change only before it sails.
LOADABLE = (H.PLANNED, H.BOOKED, H.LOADING)
CLOSED_SALES = (S.FULFILLED, S.CANCELLED)


def _audit(action: str, target, user, **values) -> None:
    audit_record(action=f"export.{action}", target=target, actor=user, **values)


def _values(instance, fields) -> dict:
    return {field: getattr(instance, field) for field in fields}


def _known(changes: dict, allowed) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in sorted(unknown)})


def _transition_check(current: str, target: str, transitions: dict, choices) -> None:
    if target not in choices.values:
        raise ValidationError({"status": _("Unknown status %(status)s.") % {"status": target}})
    allowed = transitions[choices(current)]
    if target not in allowed:
        names = ", ".join(f"«{choices(s).label}»" for s in sorted(allowed)) or _("none")
        raise ValidationError(
            {
                "status": _("It cannot go from «%(current)s» to «%(target)s»; allowed: %(allowed)s.")
                % {"current": choices(current).label, "target": choices(target).label, "allowed": names}
            }
        )


# --- Sales contracts -------------------------------------------------------------------


def _sales_clean(contract: SalesContract) -> None:
    """The parties' kinds, the price its type needs (the other type's figures cleared), the
    shipment window; then the model's own validation."""
    errors = {}
    if contract.buyer_id and (contract.buyer.kind != PartnerKind.BUYER or contract.buyer.is_deleted):
        errors["buyer"] = _("The buyer must be a partner of kind buyer.")
    if contract.exporter_id and (
        contract.exporter.kind != PartnerKind.EXPORTER or contract.exporter.is_deleted
    ):
        errors["exporter"] = _("The exporter must be a partner of kind exporter.")
    if contract.price_type == PriceType.FIXED:
        contract.differential_usd_per_tm = contract.fixed_price_usd_per_tm = contract.fixed_on = None
        if contract.price_usd_per_tm is None:
            errors["price_usd_per_tm"] = _("A fixed-price sale needs its price in USD/TM.")
    elif contract.price_type == PriceType.DIFFERENTIAL:
        contract.price_usd_per_tm = None
        if contract.differential_usd_per_tm is None:
            errors["differential_usd_per_tm"] = _("A differential sale needs its differential in USD/TM.")
    if contract.shipment_from and contract.shipment_to and contract.shipment_from > contract.shipment_to:
        errors["shipment_to"] = _("The shipment window ends before it starts.")
    if errors:
        raise ValidationError(errors)
    contract.destination_country = (contract.destination_country or "").strip().upper()
    contract.full_clean(exclude=["code"])


def _purchases_link(contract: SalesContract, purchase_contracts) -> None:
    """The purchase contracts (of this company: its schema) whose cacao this sale ships."""
    purchases = list(purchase_contracts)
    refused = sorted(c.code for c in purchases if c.status == ContractStatus.CANCELLED or c.is_deleted)
    if refused:
        raise ValidationError(
            {
                "purchase_contracts": _(
                    "Cancelled or deleted purchase contracts cannot back a sale: %(codes)s."
                )
                % {"codes": ", ".join(refused)}
            }
        )
    contract.purchase_contracts.set(purchases)


def _sales_audited(contract: SalesContract) -> dict:
    values = _values(contract, [*SALES_FIELDS, "status", "fixed_price_usd_per_tm", "fixed_on"])
    values["purchase_contracts"] = sorted(contract.purchase_contracts.values_list("code", flat=True))
    return values


@transaction.atomic
def sales_contract_create(*, user, purchase_contracts=None, **fields) -> SalesContract:
    """A sale to a buyer abroad, in draft, numbered SC-<year>-<n>."""
    _known(fields, SALES_FIELDS)
    contract = SalesContract(**fields, created_by=user)
    _sales_clean(contract)
    contract.code = code_next("SC", 4)
    contract.save()
    if purchase_contracts is not None:
        _purchases_link(contract, purchase_contracts)
    _audit("sales_contract.create", contract, user, after=_sales_audited(contract))
    return contract


@transaction.atomic
def sales_contract_update(
    *, sales_contract: SalesContract, user, purchase_contracts=None, **changes
) -> SalesContract:
    contract = SalesContract.objects.select_for_update().get(pk=sales_contract.pk)
    if contract.status in CLOSED_SALES:
        raise ValidationError(
            {
                "status": _("A %(status)s sales contract cannot be edited.")
                % {"status": contract.get_status_display()}
            }
        )
    _known(changes, SALES_FIELDS)
    if "variety" in changes and changes["variety"] != contract.variety and _loaded(contract).exists():
        raise ValidationError({"variety": _("Lots are already loaded for this sale: its variety stays.")})
    before = _sales_audited(contract)
    for field, value in changes.items():
        setattr(contract, field, value)
    _sales_clean(contract)
    contract.save(update_fields=[*SALES_FIELDS, "fixed_price_usd_per_tm", "fixed_on", "updated_at"])
    if purchase_contracts is not None:
        _purchases_link(contract, purchase_contracts)
    audit_record_changes(
        action="export.sales_contract.update",
        target=contract,
        actor=user,
        before=before,
        after=_sales_audited(contract),
    )
    return contract


def _loaded(contract: SalesContract):
    return ContainerLot.objects.filter(container__shipment__sales_contract=contract)


@transaction.atomic
def sales_contract_set_status(*, sales_contract: SalesContract, status: str, user) -> SalesContract:
    """draft → open → fulfilled; draft or open → cancelled. A sale is cancelled only once its
    shipments are, and fulfilled only once none is still being prepared."""
    contract = SalesContract.objects.select_for_update().get(pk=sales_contract.pk)
    _transition_check(contract.status, status, SALES_TRANSITIONS, SalesStatus)
    shipments = contract.shipments.all()
    if status == S.CANCELLED and shipments.exclude(status=H.CANCELLED).exists():
        raise ValidationError({"status": _("Cancel its shipments first.")})
    if status == S.FULFILLED and shipments.filter(status__in=LOADABLE).exists():
        raise ValidationError(
            {"status": _("Some of its shipments have not sailed: ship or cancel them first.")}
        )
    before = contract.status
    contract.status = status
    contract.save(update_fields=["status", "updated_at"])
    _audit("sales_contract.status", contract, user, before={"status": before}, after={"status": status})
    return contract


@transaction.atomic
def sales_contract_fix_price(
    *, sales_contract: SalesContract, futures_usd_per_tm: Decimal, user, fixed_on: date | None = None
) -> SalesContract:
    """Fix a differential sale at a futures price: fixed = futures + differential (USD/TM,
    rounded half-up to cents). It can be fixed again until one of its shipments is invoiced."""
    contract = SalesContract.objects.select_for_update().get(pk=sales_contract.pk)
    if contract.price_type != PriceType.DIFFERENTIAL:
        raise ValidationError(
            {"price_type": _("Only a differential sale is fixed; this one has a fixed price.")}
        )
    if contract.status == S.CANCELLED:
        raise ValidationError({"status": _("A cancelled sales contract is not fixed.")})
    invoiced = contract.shipments.exclude(invoice_number="").values_list("invoice_number", flat=True).first()
    if invoiced:
        raise ValidationError(
            {
                "futures_usd_per_tm": _("Invoice %(number)s was issued at the fixed price: it stays.")
                % {"number": invoiced}
            }
        )
    futures = Decimal(futures_usd_per_tm)
    if futures <= 0:
        raise ValidationError({"futures_usd_per_tm": _("Give the futures price in USD/TM, above 0.")})
    fixed = (futures + contract.differential_usd_per_tm).quantize(CENT, ROUND_HALF_UP)
    if fixed <= 0:
        raise ValidationError(
            {"futures_usd_per_tm": _("With this differential the price would be 0 or less.")}
        )
    fixed_on = fixed_on or timezone.localdate()
    if fixed_on > timezone.localdate():
        raise ValidationError({"fixed_on": _("The price cannot be fixed in the future.")})
    before = _values(contract, ["fixed_price_usd_per_tm", "fixed_on"])
    contract.fixed_price_usd_per_tm, contract.fixed_on = fixed, fixed_on
    contract.save(update_fields=["fixed_price_usd_per_tm", "fixed_on", "updated_at"])
    after = {**_values(contract, ["fixed_price_usd_per_tm", "fixed_on"]), "futures_usd_per_tm": futures}
    _audit("sales_contract.fix_price", contract, user, before=before, after=after)
    return contract


@transaction.atomic
def sales_contract_delete(*, sales_contract: SalesContract, user) -> None:
    """Only a draft without shipments is deleted; any other sale is cancelled instead."""
    if sales_contract.status != S.DRAFT or sales_contract.shipments.exists():
        raise ValidationError(
            {"status": _("Only a draft sales contract without shipments can be deleted; cancel it instead.")}
        )
    _audit("sales_contract.delete", sales_contract, user, before=_sales_audited(sales_contract))
    sales_contract.delete()


# --- Shipments -------------------------------------------------------------------------


def _shipment_clean(shipment: Shipment) -> None:
    for field in ("booking_number", "bill_of_lading"):
        setattr(shipment, field, (getattr(shipment, field) or "").strip().upper())
    if shipment.etd and shipment.eta and shipment.etd > shipment.eta:
        raise ValidationError({"eta": _("The arrival (ETA) is before the departure (ETD).")})
    shipment.full_clean(exclude=["code"])


@transaction.atomic
def shipment_create(*, user, sales_contract: SalesContract, **fields) -> Shipment:
    """A planned shipment of a sale that is neither fulfilled nor cancelled."""
    _known(fields, SHIPMENT_FIELDS)
    sales_contract = SalesContract.objects.select_for_update().get(pk=sales_contract.pk)
    if sales_contract.status in CLOSED_SALES:
        raise ValidationError(
            {
                "sales_contract": _("Sales contract %(code)s is %(status)s: it takes no more shipments.")
                % {"code": sales_contract.code, "status": sales_contract.get_status_display().lower()}
            }
        )
    shipment = Shipment(sales_contract=sales_contract, created_by=user, **fields)
    _shipment_clean(shipment)
    shipment.code = code_next("SH", 4)
    shipment.save()
    _audit("shipment.create", shipment, user, after=_values(shipment, ["sales_contract", *SHIPMENT_FIELDS]))
    return shipment


def _shipment_locked(shipment: Shipment) -> Shipment:
    return Shipment.objects.select_for_update().select_related("sales_contract").get(pk=shipment.pk)


@transaction.atomic
def shipment_update(*, shipment: Shipment, user, **changes) -> Shipment:
    """Booking and voyage data, until it sails; then only the arrival, the port of discharge
    and notes."""
    shipment = _shipment_locked(shipment)
    _known(changes, SHIPMENT_FIELDS)
    if shipment.status in (H.CANCELLED, H.ARRIVED):
        raise ValidationError(
            {
                "status": _("A %(status)s shipment cannot be edited.")
                % {"status": shipment.get_status_display().lower()}
            }
        )
    if shipment.status == H.SHIPPED:
        fixed = [field for field in changes if field not in CHANGEABLE_ONCE_SHIPPED]
        if fixed:
            raise ValidationError(
                {field: _("It cannot change once the shipment has sailed.") for field in fixed}
            )
    before = _values(shipment, SHIPMENT_FIELDS)
    for field, value in changes.items():
        setattr(shipment, field, value)
    _shipment_clean(shipment)
    if shipment.status != H.PLANNED and not shipment.booking_number:
        raise ValidationError({"booking_number": _("A booked shipment keeps its booking number.")})
    shipment.save(update_fields=[*SHIPMENT_FIELDS, "updated_at"])
    audit_record_changes(
        action="export.shipment.update",
        target=shipment,
        actor=user,
        before=before,
        after=_values(shipment, SHIPMENT_FIELDS),
    )
    return shipment


def _ready_to_ship(shipment: Shipment) -> dict:
    """What is missing for a shipment to sail, by field."""
    errors = {}
    if not shipment.booking_number:
        errors["booking_number"] = _("Give the booking number.")
    if not shipment.bill_of_lading:
        errors["bill_of_lading"] = _("Give the bill of lading number.")
    containers = list(shipment.containers.all())
    loaded = set(
        ContainerLot.objects.filter(container__shipment=shipment).values_list("container_id", flat=True)
    )
    if not containers:
        errors["containers"] = _("Add at least one container.")
    else:
        unsealed = [c.number for c in containers if not c.seal_number]
        empty = [c.number for c in containers if c.pk not in loaded]
        problems = []
        if unsealed:
            problems.append(_("without a seal: %(numbers)s") % {"numbers": ", ".join(unsealed)})
        if empty:
            problems.append(_("without lots: %(numbers)s") % {"numbers": ", ".join(empty)})
        if problems:
            errors["containers"] = _("Containers %(problems)s.") % {"problems": "; ".join(problems)}
    return errors


@transaction.atomic
def shipment_set_status(*, shipment: Shipment, status: str, user) -> Shipment:
    """planned → booked → loading → shipped → arrived, or cancelled before it sails. Booking
    needs the booking number; sailing, the bill of lading and every container sealed and
    loaded; cancelling, its containers emptied first (each lot goes back to its warehouse)."""
    shipment = _shipment_locked(shipment)
    _transition_check(shipment.status, status, SHIPMENT_TRANSITIONS, ShipmentStatus)
    if status == H.BOOKED and not shipment.booking_number:
        raise ValidationError({"booking_number": _("Give the booking number before booking.")})
    if status == H.SHIPPED:
        errors = _ready_to_ship(shipment)
        if errors:
            raise ValidationError(errors)
    if status == H.CANCELLED:
        loads = ContainerLot.objects.filter(container__shipment=shipment).count()
        if loads:
            raise ValidationError(
                {"status": _("Unload its containers first (%(count)s lots loaded).") % {"count": loads}}
            )
    before = shipment.status
    shipment.status, shipment.status_changed_at = status, timezone.now()
    shipment.save(update_fields=["status", "status_changed_at", "updated_at"])
    _audit("shipment.status", shipment, user, before={"status": before}, after={"status": status})
    return shipment


@transaction.atomic
def shipment_delete(*, shipment: Shipment, user) -> None:
    """Only a planned shipment with nothing loaded, no documents and no due diligence
    statement is deleted (its empty containers with it); any other is cancelled instead."""
    shipment = _shipment_locked(shipment)
    if (
        shipment.status != H.PLANNED
        or ContainerLot.objects.filter(container__shipment=shipment).exists()
        or shipment.documents.exists()
        or shipment.statements.exists()
    ):
        raise ValidationError(
            {
                "status": _(
                    "Only a planned shipment with nothing loaded and no documents can be deleted; cancel it "
                    "instead."
                )
            }
        )
    _audit("shipment.delete", shipment, user, before=_values(shipment, SHIPMENT_FIELDS))
    try:
        with transaction.atomic():
            shipment.delete()
    except ProtectedError as error:  # costs or payments recorded against it (finance)
        raise ValidationError(
            {"status": _("Costs or payments are recorded against this shipment; cancel it instead.")}
        ) from error


@transaction.atomic
def shipment_invoice_number(*, shipment: Shipment, user) -> Shipment:
    """The shipment's commercial invoice number (FX-<year>-<n>), given once."""
    shipment = _shipment_locked(shipment)
    if not shipment.invoice_number:
        shipment.invoice_number = code_next("FX", 5)
        shipment.save(update_fields=["invoice_number", "updated_at"])
        _audit("shipment.invoice", shipment, user, after={"invoice_number": shipment.invoice_number})
    return shipment


def _loadable_check(shipment: Shipment, field: str) -> None:
    if shipment.status not in LOADABLE:
        raise ValidationError(
            {
                field: _("Shipment %(code)s is %(status)s: its containers no longer change.")
                % {"code": shipment.code, "status": shipment.get_status_display().lower()}
            }
        )


# --- Containers and their lots ---------------------------------------------------------


def _container_clean(container: Container) -> None:
    container.number = iso6346_normalize(container.number, field="number")
    container.seal_number = (container.seal_number or "").strip().upper()
    container.size = (container.size or "").strip().upper()
    taken = Container.objects.filter(number=container.number).exclude(pk=container.pk)
    if taken.filter(shipment=container.shipment_id).exists():
        raise ValidationError(
            {"number": _("Container %(number)s is already in this shipment.") % {"number": container.number}}
        )
    elsewhere = taken.filter(shipment__status__in=[*LOADABLE, H.SHIPPED]).select_related("shipment").first()
    if elsewhere is not None:
        raise ValidationError(
            {
                "number": _("Container %(number)s is in shipment %(code)s, which has not arrived.")
                % {"number": container.number, "code": elsewhere.shipment.code}
            }
        )
    container.full_clean()


@transaction.atomic
def container_add(
    *, shipment: Shipment, number: str, user, seal_number: str = "", size: str = "20DV"
) -> Container:
    """A container (ISO 6346 number, checked) of a shipment that has not sailed."""
    shipment = _shipment_locked(shipment)
    _loadable_check(shipment, "shipment")
    container = Container(shipment=shipment, number=number, seal_number=seal_number, size=size or "20DV")
    _container_clean(container)
    container.save()
    _audit("container.add", container, user, after=_values(container, ["shipment", *CONTAINER_FIELDS]))
    return container


@transaction.atomic
def container_update(*, container: Container, user, **changes) -> Container:
    """Its seal and size; its number only while it is empty."""
    _known(changes, CONTAINER_FIELDS)
    _loadable_check(_shipment_locked(container.shipment), "container")
    container = Container.objects.select_for_update().get(pk=container.pk)
    if "number" in changes and container.loads.exists():
        changed = iso6346_normalize(changes["number"]) != container.number
        if changed:
            raise ValidationError({"number": _("Unload the container before changing its number.")})
    before = _values(container, CONTAINER_FIELDS)
    for field, value in changes.items():
        setattr(container, field, value)
    _container_clean(container)
    container.save(update_fields=list(CONTAINER_FIELDS))
    audit_record_changes(
        action="export.container.update",
        target=container,
        actor=user,
        before=before,
        after=_values(container, CONTAINER_FIELDS),
    )
    return container


@transaction.atomic
def container_remove(*, container: Container, user) -> None:
    _loadable_check(_shipment_locked(container.shipment), "container")
    if container.loads.exists():
        raise ValidationError({"container": _("Unload the container before removing it.")})
    _audit("container.remove", container, user, before=_values(container, CONTAINER_FIELDS))
    container.delete()


def _lot_check(lot: Lot, sales_contract: SalesContract) -> None:
    if lot.is_deleted or lot.status == LotStatus.REJECTED:
        raise ValidationError({"lot": _("Lot %(lot)s is deleted or rejected.") % {"lot": lot.code}})
    if lot.form != ProductForm.DRY:
        raise ValidationError(
            {"lot": _("Only dry cacao is exported; lot %(lot)s is wet.") % {"lot": lot.code}}
        )
    if lot.variety != sales_contract.variety:
        raise ValidationError(
            {
                "lot": _("Lot %(lot)s is %(variety)s; sales contract %(code)s sells %(sold)s.")
                % {
                    "lot": lot.code,
                    "variety": lot.get_variety_display(),
                    "code": sales_contract.code,
                    "sold": sales_contract.get_variety_display(),
                }
            }
        )


def _sacks_checked(sacks) -> int:
    try:
        sacks = int(sacks or 0)
    except (TypeError, ValueError):
        sacks = -1
    if sacks < 0:
        raise ValidationError({"sacks": _("Give the number of sacks, 0 or more.")})
    return sacks


def _kg_checked(kg) -> Decimal:
    kg = Decimal(kg)
    if kg <= 0:
        raise ValidationError({"kg": _("Give a weight above zero.")})
    if kg != kg.quantize(CENT):
        raise ValidationError({"kg": _("Give the weight to the hundredth of a kilogram.")})
    return kg


@transaction.atomic
def container_load(
    *, container: Container, lot: Lot, kg: Decimal, warehouse, user, sacks: int = 0
) -> ContainerLot:
    """Load ``kg`` of a lot from ``warehouse`` into a container: a stock out referenced with
    the shipment's code. Refused: a lot of another variety than the sale's, a wet, rejected
    or deleted lot, more than the warehouse holds, and lots from EUDR-verified plots together
    with lots that are not (in the whole shipment)."""
    from erp.eudr.rules import eudr_mixing_refuse
    from erp.inventory.services import stock_out

    shipment = _shipment_locked(container.shipment)  # one load at a time per shipment
    _loadable_check(shipment, "container")
    kg = _kg_checked(kg)
    _lot_check(lot, shipment.sales_contract)
    sacks = _sacks_checked(sacks)
    in_shipment = Lot.all_objects.filter(container_loads__container__shipment=shipment).exclude(pk=lot.pk)
    eudr_mixing_refuse(lots=[lot, *in_shipment.distinct()], field="lot")
    reason = _("Loaded into container %(number)s of shipment %(code)s") % {
        "number": container.number,
        "code": shipment.code,
    }
    movement = stock_out(
        lot=lot, warehouse=warehouse, kg=kg, user=user, reason=reason[:200], reference=shipment.code
    )
    load = ContainerLot(container=container, lot=lot, kg=kg, sacks=sacks, movement=movement)
    load.full_clean()
    load.save()
    _audit("container.load", load, user, after=_load_values(load))
    return load


def _load_values(load: ContainerLot) -> dict:
    return {
        "container": load.container.number,
        "lot": load.lot.code,
        "kg": load.kg,
        "sacks": load.sacks,
        "warehouse": load.movement.from_warehouse_id,
    }


@transaction.atomic
def container_unload(*, load: ContainerLot, user) -> None:
    """Take a lot out of a container before the shipment sails: its kilograms go back to
    the warehouse they came from (an adjustment that names the container and shipment)."""
    from erp.inventory.services import stock_adjust

    load = ContainerLot.objects.select_related("container", "lot", "movement__from_warehouse").get(pk=load.pk)
    shipment = _shipment_locked(load.container.shipment)
    _loadable_check(shipment, "load")
    reason = _("Unloaded from container %(number)s of shipment %(code)s") % {
        "number": load.container.number,
        "code": shipment.code,
    }
    stock_adjust(
        lot=load.lot, warehouse=load.movement.from_warehouse, kg_delta=load.kg, user=user, reason=reason[:200]
    )
    _audit("container.unload", load, user, before=_load_values(load))
    load.delete()


# --- Documents ---------------------------------------------------------------------------


@transaction.atomic
def shipment_document_upload(
    *,
    shipment: Shipment,
    kind: str,
    number: str,
    uploaded_file: UploadedFile,
    user,
    issued_on: date | None = None,
) -> ShipmentDocument:
    """A document issued by others (phytosanitary certificate, certificate of origin, bill
    of lading, other) with its number; PDF or image, checked by its content."""
    if shipment.status == H.CANCELLED:
        raise ValidationError({"shipment": _("A cancelled shipment takes no documents.")})
    errors = {}
    if kind not in ShipmentDocumentKind.values:
        errors["kind"] = _("Choose phytosanitary, origin, bill_of_lading or other.")
    number = (number or "").strip()
    if not number:
        errors["number"] = _("Give the document's number.")
    if errors:
        raise ValidationError(errors)
    document = stored_file_create(
        ShipmentDocument,
        uploaded_file=uploaded_file,
        folder="export/documents",
        user=user,
        shipment=shipment,
        kind=kind,
        number=number,
        issued_on=issued_on,
    )
    _audit(
        "document.upload", document, user, after=_values(document, ["shipment", "kind", "number", "sha256"])
    )
    return document


@transaction.atomic
def shipment_document_delete(*, document: ShipmentDocument, user) -> None:
    """Before the shipment sails; the file goes once the deletion is committed."""
    if document.shipment.status in (H.SHIPPED, H.ARRIVED):
        raise ValidationError({"document": _("The documents of a shipment that has sailed are kept.")})
    name = document.file.name
    _audit(
        "document.delete",
        document,
        user,
        before=_values(document, ["shipment", "kind", "number", "sha256"]),
    )
    document.delete()
    transaction.on_commit(lambda: default_storage.delete(name))
