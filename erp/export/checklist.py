"""What a shipment still needs before it sails, item by item: booking, vessel, sealed and
loaded containers, the documents, a price to invoice at and the lots' quality analyses.

A warning item (``warning=True``) informs and never blocks: the shipment's tonnage against
the sales contract's quantity (partial and over-shipments happen, by agreement)."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import formats
from django.utils.translation import gettext as _

from erp.units import kg_to_qq, kg_to_tm

from .models import Shipment, ShipmentDocumentKind
from .selectors import contract_shipped_kg, shipment_containers, shipment_lots


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    done: bool
    detail: str = ""
    warning: bool = False


def _n(value, places: int = 2) -> str:
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def weight_text(kg) -> str:
    return _("%(kg)s kg (%(qq)s qq, %(tm)s TM)") % {
        "kg": _n(kg),
        "qq": _n(kg_to_qq(kg)),
        "tm": _n(kg_to_tm(kg), 3),
    }


def shipment_checklist(*, shipment: Shipment) -> list[ChecklistItem]:
    containers = shipment_containers(shipment)
    kinds = set(shipment.documents.values_list("kind", flat=True))
    loaded_kg = sum((load.kg for c in containers for load in c.loads.all()), 0)
    return [
        _booking(shipment),
        _vessel(shipment),
        _seals(containers),
        ChecklistItem("lots_loaded", _("Lots loaded"), loaded_kg > 0, weight_text(loaded_kg)),
        _quantity(shipment, loaded_kg),
        _bill_of_lading(shipment, kinds),
        _document(
            "phytosanitary",
            _("Phytosanitary certificate uploaded"),
            kinds,
            ShipmentDocumentKind.PHYTOSANITARY,
        ),
        _document("origin", _("Certificate of origin uploaded"), kinds, ShipmentDocumentKind.ORIGIN),
        _price(shipment),
        _quality(shipment),
    ]


def _booking(shipment: Shipment) -> ChecklistItem:
    return ChecklistItem(
        "booking", _("Booking number"), bool(shipment.booking_number), shipment.booking_number
    )


def _vessel(shipment: Shipment) -> ChecklistItem:
    parts = [shipment.vessel, shipment.voyage]
    if shipment.etd:
        parts.append(_("ETD %(date)s") % {"date": formats.date_format(shipment.etd, "SHORT_DATE_FORMAT")})
    done = bool(shipment.vessel and shipment.etd)
    return ChecklistItem("vessel", _("Vessel and ETD"), done, " · ".join(p for p in parts if p))


def _seals(containers) -> ChecklistItem:
    sealed = [c for c in containers if c.seal_number]
    if not containers:
        detail = _("No container yet.")
    else:
        detail = _("%(sealed)s of %(count)s containers sealed.") % {
            "sealed": len(sealed),
            "count": len(containers),
        }
    return ChecklistItem(
        "containers",
        _("Containers with their seals"),
        bool(containers) and len(sealed) == len(containers),
        detail,
    )


def _quantity(shipment: Shipment, loaded_kg) -> ChecklistItem:
    contract = shipment.sales_contract
    all_kg = contract_shipped_kg(contract)
    detail = _("This shipment %(tm)s TM; all shipments of %(code)s %(all)s TM of %(quantity)s TM sold.") % {
        "tm": _n(kg_to_tm(loaded_kg), 3),
        "code": contract.code,
        "all": _n(kg_to_tm(all_kg), 3),
        "quantity": _n(contract.quantity_tm, 3),
    }
    within = kg_to_tm(all_kg) <= contract.quantity_tm
    return ChecklistItem("quantity", _("Within the quantity sold"), within, detail, warning=True)


def _bill_of_lading(shipment: Shipment, kinds: set) -> ChecklistItem:
    uploaded = ShipmentDocumentKind.BILL_OF_LADING in kinds
    detail = shipment.bill_of_lading or _("No number yet.")
    if not uploaded:
        detail = f"{detail} " + _("Not uploaded.")
    return ChecklistItem(
        "bill_of_lading",
        _("Bill of lading (number and copy)"),
        bool(shipment.bill_of_lading) and uploaded,
        detail,
    )


def _document(key: str, label: str, kinds: set, kind: str) -> ChecklistItem:
    done = kind in kinds
    return ChecklistItem(key, label, done, "" if done else _("Not uploaded."))


def _price(shipment: Shipment) -> ChecklistItem:
    contract = shipment.sales_contract
    price = contract.sale_price_usd_per_tm
    if price is not None:
        detail = _("%(price)s USD/TM") % {"price": _n(price)}
    else:
        detail = _("The differential sale %(code)s has not been fixed yet.") % {"code": contract.code}
    return ChecklistItem("price", _("A price to invoice at"), price is not None, detail)


def _quality(shipment: Shipment) -> ChecklistItem:
    from erp.quality.models import QualityAnalysis

    analysed = Exists(QualityAnalysis.objects.filter(lot=OuterRef("pk")))
    lots = list(shipment_lots(shipment).annotate(analysed=analysed).values_list("code", "analysed"))
    missing = [code for code, has_analysis in lots if not has_analysis]
    if not lots:
        detail = _("No lot loaded yet.")
    elif missing:
        detail = _("Without an analysis: %(lots)s.") % {"lots": ", ".join(missing)}
    else:
        detail = _("Every loaded lot has an analysis.")
    return ChecklistItem("quality", _("Quality analysis of every lot"), bool(lots) and not missing, detail)
