"""The EUDR due diligence data pack of a shipment (Regulation (EU) 2023/1115).

Everything behind a shipment is found through the lots' genealogy: each lot loaded into its
containers, up to the receptions that started those lots, to the plots those receptions name.
The pack is what the first operator placing the cocoa on the EU market (usually the buyer,
the EU importer) needs for its due diligence statement, in three forms: the plots as a GeoJSON
FeatureCollection, a PDF summary, and a JSON shaped after the EU information system's
submission (TRACES, "submitDds"). Submitting it is the operator's act in that system, with
its own account; Triboka prepares the data and keeps what was handed over (a
``DueDiligenceStatement``, five years).

The statement's fields against Annex II of the Regulation:

======================================  =============================================
Annex II                                 ``statement`` key
======================================  =============================================
1. operator's name, address (and EORI)   ``operator`` (the buyer: name, country, address;
                                         its EORI is the operator's own, left empty)
2. HS code, description, quantity        ``commodities[].hsHeading`` (1801),
   (net mass in kg)                      ``descriptors.descriptionOfGoods``,
                                         ``descriptors.goodsMeasure.netWeight`` (kg)
3. country of production                 ``commodities[].producers[].country`` (EC)
4. geolocation of all plots              ``producers[].geometryGeojson`` (the plots'
                                         FeatureCollection, base64 as the system takes it)
5. reference numbers of earlier          ``associatedStatements`` (none: the cocoa enters
   statements                            the EU with this statement)
6. the statement of due diligence done   ``confirmation`` (the Annex's sentence)
7. signature (name, function, date)      left to the operator who signs in the system
======================================  =============================================

Kept beside it (Art. 9(1)): supplier and buyer, the date range of production (the
receptions' dates: beans are received within days of harvest and fermentation; a harvest
date per plot is not recorded), and the evidence of legality and of no deforestation.
"""

import base64
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from erp.codes import code_next
from erp.eudr.geometry import geojson_dumps
from erp.eudr.services import plots_retain, retention_date
from erp.lots.genealogy import lot_lineage_ids
from erp.pdf import pdf_document
from erp.reception.models import Reception
from erp.units import kg_to_tm
from triboka.audit.services import audit_record

from .models import ContainerLot, DueDiligenceStatement, Shipment

HS_HEADING = "1801"  # Cocoa beans, whole or broken, raw or roasted (Annex I of the Regulation)
DESCRIPTION_OF_GOODS = "Cocoa beans, whole, raw, fermented and dried"
SCIENTIFIC_NAME, COMMON_NAME = "Theobroma cacao L.", "Cocoa"
COUNTRY_OF_PRODUCTION = "EC"
CONFIRMATION = (
    "By submitting this due diligence statement the operator confirms that due diligence in "
    "accordance with Regulation (EU) 2023/1115 was carried out and that no or only a negligible "
    "risk was found that the relevant products do not comply with Article 3, point (a) or (b), "
    "of that Regulation."
)  # Annex II, point 6


@dataclass
class DueDiligencePack:
    shipment: Shipment
    loads: list = field(default_factory=list)  # (lot, kg)
    receptions: list = field(default_factory=list)
    plots: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems

    @property
    def net_mass_kg(self) -> Decimal:
        return sum((kg for _lot, kg in self.loads), Decimal("0"))

    @property
    def suppliers(self) -> list:
        return sorted({r.supplier for r in self.receptions}, key=lambda partner: partner.name)

    @property
    def production_period(self) -> tuple | None:
        days = sorted(timezone.localtime(r.received_at).date() for r in self.receptions)
        return (days[0], days[-1]) if days else None


def shipment_due_diligence(*, shipment: Shipment) -> DueDiligencePack:
    """Every lot loaded, reception and plot behind the shipment, with what is missing."""
    pack = DueDiligencePack(shipment=shipment)
    loads: dict = {}
    for load in ContainerLot.objects.filter(container__shipment=shipment).select_related("lot"):
        lot, kg = loads.get(load.lot_id, (load.lot, Decimal("0")))
        loads[load.lot_id] = (lot, kg + load.kg)
    pack.loads = sorted(loads.values(), key=lambda pair: pair[0].code)
    if not pack.loads:
        pack.problems.append(_("No lot is loaded in the shipment's containers yet."))
        return pack
    for lot, _kg in pack.loads:
        _trace_lot(pack, lot)
    pack.receptions.sort(key=lambda r: (r.received_at, r.pk))
    plots = {plot.pk: plot for r in pack.receptions for plot in r.plots.all()}
    pack.plots = sorted(plots.values(), key=lambda plot: plot.code)
    _plot_problems(pack)
    return pack


def _trace_lot(pack: DueDiligencePack, lot) -> None:
    receptions = list(
        Reception.objects.valid()
        .filter(lot_id__in=lot_lineage_ids(lot=lot, direction="up"))
        .select_related("supplier")
        .prefetch_related("plots__evidence", "plots__supplier")
    )
    if not receptions:
        pack.problems.append(
            _("Lot %(lot)s has no reception behind it: its origin is unknown.") % {"lot": lot.code}
        )
    known = {r.pk for r in pack.receptions}
    pack.receptions.extend(r for r in receptions if r.pk not in known)
    for reception in receptions:
        if not reception.plots.all():
            pack.problems.append(
                _("Reception %(number)s (lot %(lot)s) names no plot of origin.")
                % {"number": reception.number, "lot": lot.code}
            )


def _plot_problems(pack: DueDiligencePack) -> None:
    for plot in pack.plots:
        if not plot.is_verified:
            pack.problems.append(
                _("Plot %(code)s (%(name)s) is not verified deforestation-free.")
                % {"code": plot.code, "name": plot.name}
            )


def pack_feature_collection(pack: DueDiligencePack) -> dict:
    """The plots as the EU system's GeoJSON upload takes them (ProducerName, ProducerCountry,
    ProductionPlace, Area in ha). The farmer's cédula is personal data the statement does not
    ask for and stays out."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": plot.geometry,
                "properties": {
                    "ProducerName": plot.supplier.name,
                    "ProducerCountry": COUNTRY_OF_PRODUCTION,
                    "ProductionPlace": plot.name,
                    "Area": str(plot.area_ha),
                    "PlotReference": plot.code,
                },
            }
            for plot in pack.plots
        ],
    }


def pack_geojson(pack: DueDiligencePack) -> bytes:
    return geojson_dumps(pack_feature_collection(pack))


def pack_statement(pack: DueDiligencePack, *, reference: str = "") -> dict:
    """The statement data in the shape of the EU information system's submission."""
    sale = pack.shipment.sales_contract
    period = pack.production_period
    buyer = sale.buyer
    return {
        "internalReferenceNumber": reference or pack.shipment.code,
        "operatorType": "OPERATOR",
        "activityType": "IMPORT",
        "countryOfActivity": sale.destination_country or None,
        "operator": {
            "nameAndAddress": {
                "name": buyer.name,
                "country": sale.destination_country or None,
                "address": ", ".join(part for part in (buyer.canton, buyer.get_province_display()) if part)
                or None,
            },
            "email": buyer.email or None,
            "referenceNumber": [],
        },
        "commodities": [
            {
                "hsHeading": HS_HEADING,
                "descriptors": {
                    "descriptionOfGoods": DESCRIPTION_OF_GOODS,
                    "goodsMeasure": {"netWeight": str(pack.net_mass_kg)},
                },
                "speciesInfo": {"scientificName": SCIENTIFIC_NAME, "commonName": COMMON_NAME},
                "producers": [
                    {
                        "country": COUNTRY_OF_PRODUCTION,
                        "name": supplier.name,
                        "geometryGeojson": _producer_geojson(pack, supplier),
                    }
                    for supplier in sorted({plot.supplier for plot in pack.plots}, key=lambda s: s.name)
                ],
            }
        ],
        "geoLocationConfidential": False,
        "associatedStatements": [],
        "confirmation": CONFIRMATION,
        "supplyChain": {
            "exporter": {"name": sale.exporter.name, "taxId": sale.exporter.tax_id, "country": "EC"},
            "buyer": {"name": buyer.name, "country": sale.destination_country or None},
            "suppliers": [{"name": s.name, "taxId": s.tax_id} for s in pack.suppliers],
            "productionPeriod": [period[0].isoformat(), period[1].isoformat()] if period else None,
            "shipment": {
                "code": pack.shipment.code,
                "billOfLading": pack.shipment.bill_of_lading or None,
                "portOfLoading": pack.shipment.port_of_loading,
                "vessel": pack.shipment.vessel or None,
            },
            "lots": [{"code": lot.code, "netWeight": str(kg)} for lot, kg in pack.loads],
            "evidence": _evidence(pack),
        },
    }


def _producer_geojson(pack: DueDiligencePack, supplier) -> str:
    plots = [plot for plot in pack.plots if plot.supplier_id == supplier.pk]
    collection = pack_feature_collection(DueDiligencePack(shipment=pack.shipment, plots=plots))
    return base64.b64encode(geojson_dumps(collection)).decode("ascii")


def _evidence(pack: DueDiligencePack) -> list[dict]:
    return [
        {
            "plot": plot.code,
            "kind": evidence.kind,
            "title": evidence.title,
            "issuedOn": evidence.issued_on.isoformat() if evidence.issued_on else None,
            "sha256": evidence.sha256,
        }
        for plot in pack.plots
        for evidence in plot.evidence.all()
    ]


def statement_record(*, shipment: Shipment, user) -> DueDiligenceStatement:
    """Freezes the pack as handed over, when nothing is missing, and keeps it, its plots and
    their evidence five years."""
    pack = shipment_due_diligence(shipment=shipment)
    if not pack.ready:
        raise ValidationError({"shipment": pack.problems})
    with transaction.atomic():
        reference = code_next("DDS", 5)
        geojson = pack_geojson(pack).decode()
        statement = pack_statement(pack, reference=reference)
        canonical = geojson_dumps(statement)
        record = DueDiligenceStatement.objects.create(
            reference=reference,
            shipment=shipment,
            statement=statement,
            geojson=geojson,
            sha256=hashlib.sha256(canonical + geojson.encode()).hexdigest(),
            retain_until=retention_date(),
            created_by=user,
        )
        record.plots.set(pack.plots)
        plots_retain(plots=pack.plots)
        audit_record(
            action="export.due_diligence.record",
            target=record,
            actor=user,
            after={"shipment": shipment.code, "plots": [plot.code for plot in pack.plots]},
        )
    return record


def pack_pdf(pack: DueDiligencePack) -> bytes:
    """A summary for people: what the statement will say and what is still missing."""
    company = getattr(connection.tenant, "name", "")
    title = _("EUDR due diligence: shipment %(code)s") % {"code": pack.shipment.code}
    pdf = pdf_document(title, company_name=company)
    pdf.add_page()
    pdf.set_font(pdf.family, "B", 13)
    pdf.multi_cell(0, 7, pdf.plain(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for label, value in _summary_lines(pack):
        pdf.set_font(pdf.family, "B", 9)
        pdf.cell(55, 6, pdf.plain(label))
        pdf.set_font(pdf.family, "", 9)
        pdf.multi_cell(0, 6, pdf.plain(value), new_x="LMARGIN", new_y="NEXT")
    _plots_table(pdf, pack)
    _problems_block(pdf, pack)
    return bytes(pdf.output())


def _summary_lines(pack: DueDiligencePack) -> list[tuple[str, str]]:
    sale = pack.shipment.sales_contract
    period = pack.production_period
    kg = formats.number_format(pack.net_mass_kg, 2, use_l10n=True, force_grouping=True)
    tm = formats.number_format(kg_to_tm(pack.net_mass_kg), 3, use_l10n=True, force_grouping=True)
    return [
        (_("HS code"), f"{HS_HEADING} · {DESCRIPTION_OF_GOODS}"),
        (_("Net mass"), _("%(kg)s kg (%(tm)s TM)") % {"kg": kg, "tm": tm}),
        (_("Country of production"), _("Ecuador (EC)")),
        (_("Exporter"), f"{sale.exporter.name} ({sale.exporter.tax_id})"),
        (_("Buyer"), f"{sale.buyer.name} {sale.destination_country}".strip()),
        (_("Sales contract"), sale.code),
        (_("Suppliers"), ", ".join(supplier.name for supplier in pack.suppliers) or "—"),
        (
            _("Production period"),
            f"{formats.date_format(period[0])} – {formats.date_format(period[1])}" if period else "—",
        ),
        (_("Lots"), ", ".join(lot.code for lot, _kg in pack.loads) or "—"),
        (_("Receptions"), str(len(pack.receptions))),
    ]


def _plots_table(pdf, pack: DueDiligencePack) -> None:
    pdf.ln(3)
    pdf.set_font(pdf.family, "B", 10)
    pdf.cell(
        0,
        7,
        pdf.plain(_("Plots of production (%(n)s)") % {"n": len(pack.plots)}),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    widths = (24, 50, 40, 18, 26, 32)
    headers = (_("Plot"), _("Name"), _("Supplier"), _("ha"), _("Geometry"), _("Verification"))
    pdf.set_font(pdf.family, "B", 8)
    for width, header in zip(widths, headers, strict=True):
        pdf.cell(width, 6, pdf.plain(header), border="B")
    pdf.ln()
    pdf.set_font(pdf.family, "", 8)
    for plot in pack.plots:
        cells = (
            plot.code, plot.name[:34], plot.supplier.name[:26],
            formats.number_format(plot.area_ha, 2, use_l10n=True), plot.get_geometry_kind_display(),
            plot.get_status_display(),
        )  # fmt: skip
        for width, cell in zip(widths, cells, strict=True):
            pdf.cell(width, 5.5, pdf.plain(cell))
        pdf.ln()


def _problems_block(pdf, pack: DueDiligencePack) -> None:
    pdf.ln(4)
    pdf.set_font(pdf.family, "B", 10)
    if pack.ready:
        pdf.multi_cell(
            0,
            6,
            pdf.plain(_("Nothing is missing: the statement can be recorded.")),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        return
    pdf.multi_cell(
        0, 6, pdf.plain(_("Missing before the statement can be recorded:")), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font(pdf.family, "", 9)
    for problem in pack.problems:
        pdf.multi_cell(0, 5, pdf.plain(f"• {problem}"), new_x="LMARGIN", new_y="NEXT")
