"""The export documents made from a shipment's data (PDF, in the active language): the
commercial invoice, the packing list and the certificate of quality.

The invoice prices each container: amount = TM × USD/TM with TM = net kg / 1,000 (exact; shown
to 3 places), rounded half-up to cents; the total is the sum of the rounded lines, as a
reader adds them up on paper."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from erp.pdf import pdf_document
from erp.units import amount_at_tm_price, kg_to_qq, kg_to_tm
from triboka.errors import ApplicationError

from .models import Container, Incoterm, Shipment
from .selectors import Weight, container_weight, shipment_containers, shipment_lots

HS_CODE = "1801.00"  # cocoa beans, whole or broken, raw or roasted
# Incoterms named at the place of shipment; the others at the destination.
AT_ORIGIN = (Incoterm.EXW, Incoterm.FCA, Incoterm.FOB)


@dataclass(frozen=True)
class InvoiceLine:
    container: str
    kg: Decimal
    price_usd_per_tm: Decimal
    amount_usd: Decimal

    @property
    def tm(self) -> Decimal:
        return kg_to_tm(self.kg)


@dataclass(frozen=True)
class Invoice:
    lines: list[InvoiceLine]
    price_usd_per_tm: Decimal

    @property
    def kg(self) -> Decimal:
        return sum((line.kg for line in self.lines), Decimal("0"))

    @property
    def amount_usd(self) -> Decimal:
        return sum((line.amount_usd for line in self.lines), Decimal("0"))


def invoice_amount(*, kg: Decimal, price_usd_per_tm: Decimal) -> Decimal:
    return amount_at_tm_price(kg, price_usd_per_tm)


def invoice_data(shipment: Shipment) -> Invoice:
    """The invoice's lines, one per loaded container; refused (409) without a price or a load."""
    contract = shipment.sales_contract
    price = contract.sale_price_usd_per_tm
    if price is None:
        raise ApplicationError(
            _("Sales contract %(code)s has no price yet: fix its differential before invoicing.")
            % {"code": contract.code},
            code="no_price",
        )
    lines = []
    for container in shipment_containers(shipment):
        kg = container_weight(container).kg
        if kg > 0:
            lines.append(
                InvoiceLine(container.number, kg, price, invoice_amount(kg=kg, price_usd_per_tm=price))
            )
    if not lines:
        raise ApplicationError(_("Nothing is loaded in this shipment yet."), code="nothing_loaded")
    return Invoice(lines=lines, price_usd_per_tm=price)


# --- Writing ---------------------------------------------------------------------------


def _n(value, places: int = 2) -> str:
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def _start(title: str):
    company = getattr(connection.tenant, "name", "")
    pdf = pdf_document(title, company_name=company)
    pdf.add_page()
    pdf.set_font(pdf.family, "B", 14)
    pdf.cell(0, 8, pdf.plain(company), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family, "B", 12)
    pdf.cell(0, 8, pdf.plain(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    return pdf


def _lines(pdf, lines: list[tuple[str, str]]) -> None:
    for label, value in lines:
        pdf.set_font(pdf.family, "B", 9)
        pdf.cell(48, 6, pdf.plain(label))
        pdf.set_font(pdf.family, "", 9)
        pdf.multi_cell(0, 6, pdf.plain(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _row(pdf, widths, values, *, bold: bool = False) -> None:
    pdf.set_font(pdf.family, "B" if bold else "", 9)
    for index, (width, value) in enumerate(zip(widths, values, strict=True)):
        pdf.cell(width, 6, pdf.plain(value), border=1, align="L" if index == 0 else "R")
    pdf.ln(6)


def _party(partner) -> str:
    if not partner.tax_id:  # a buyer abroad
        return partner.name
    kind = _("RUC") if len(partner.tax_id) == 13 else _("ID")
    return f"{partner.name} ({kind} {partner.tax_id})"


def _destination(shipment: Shipment) -> str:
    return shipment.port_of_discharge or shipment.sales_contract.destination_port or "—"


def _incoterm(shipment: Shipment) -> str:
    """The Incoterm and its named place: the port of loading for EXW, FCA and FOB, the
    destination for the others."""
    contract = shipment.sales_contract
    at_origin = contract.incoterm in AT_ORIGIN
    place = shipment.get_port_of_loading_display() if at_origin else _destination(shipment)
    return f"{contract.incoterm} {place}"


def _shipment_lines(shipment: Shipment) -> list[tuple[str, str]]:
    contract = shipment.sales_contract
    reference = f"{contract.code} / {contract.buyer_reference}" if contract.buyer_reference else contract.code
    return [
        (_("Sales contract"), reference),
        (_("Buyer"), _party(contract.buyer)),
        (_("Vessel / voyage"), " / ".join(v for v in (shipment.vessel, shipment.voyage) if v) or "—"),
        (_("Booking"), shipment.booking_number or "—"),
        (_("Bill of lading"), shipment.bill_of_lading or "—"),
        (_("Ports"), f"{shipment.get_port_of_loading_display()} → {_destination(shipment)}"),
        (_("ETD"), _date(shipment.etd)),
    ]


def invoice_pdf(shipment: Shipment, invoice: Invoice) -> bytes:
    """The commercial invoice; ``shipment.invoice_number`` is given (services)."""
    contract = shipment.sales_contract
    pdf = _start(_("Commercial invoice %(number)s") % {"number": shipment.invoice_number})
    seller = _party(contract.exporter)
    _lines(
        pdf,
        [
            (_("Invoice number"), shipment.invoice_number),
            (_("Date"), _date(timezone.localdate())),
            (_("Seller"), seller),
            (_("Incoterm"), _incoterm(shipment)),
            *_shipment_lines(shipment),
            (
                _("Goods"),
                _("Cocoa beans, %(variety)s, HS %(hs)s")
                % {"variety": contract.get_variety_display(), "hs": HS_CODE},
            ),
        ],
    )
    widths = (50, 35, 25, 35, 45)
    _row(pdf, widths, [_("Container"), _("Net kg"), _("TM"), _("USD/TM"), _("Amount USD")], bold=True)
    for line in invoice.lines:
        _row(
            pdf,
            widths,
            [line.container, _n(line.kg), _n(line.tm, 3), _n(line.price_usd_per_tm), _n(line.amount_usd)],
        )
    _row(
        pdf,
        widths,
        [_("Total"), _n(invoice.kg), _n(kg_to_tm(invoice.kg), 3), "", _n(invoice.amount_usd)],
        bold=True,
    )
    pdf.ln(3)
    pdf.set_font(pdf.family, "", 8)
    pdf.multi_cell(
        0,
        4.5,
        pdf.plain(
            _(
                "Amount per container = TM (net kg / 1,000) × price in USD/TM, rounded half-up to cents; the "
                "total is the sum of the lines."
            )
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


def packing_list_pdf(shipment: Shipment) -> bytes:
    pdf = _start(_("Packing list %(code)s") % {"code": shipment.code})
    _lines(pdf, _shipment_lines(shipment))
    containers = shipment_containers(shipment)
    widths = (70, 40, 40, 40)
    for container in containers:
        _container_block(pdf, container, widths)
    total = Weight(
        kg=sum((container_weight(c).kg for c in containers), Decimal("0")),
        sacks=sum(container_weight(c).sacks for c in containers),
    )
    _lines(
        pdf,
        [
            (_("Containers"), str(len(containers))),
            (_("Total net weight"), _("%(kg)s kg · %(qq)s qq · %(tm)s TM") % _weights(total)),
            (_("Total sacks"), str(total.sacks)),
        ],
    )
    return bytes(pdf.output())


def _weights(weight: Weight) -> dict:
    return {"kg": _n(weight.kg), "qq": _n(weight.qq), "tm": _n(weight.tm, 3)}


def _container_block(pdf, container: Container, widths) -> None:
    pdf.set_font(pdf.family, "B", 10)
    heading = _("Container %(number)s · seal %(seal)s · %(size)s") % {
        "number": container.number,
        "seal": container.seal_number or "—",
        "size": container.size,
    }
    pdf.cell(0, 7, pdf.plain(heading), new_x="LMARGIN", new_y="NEXT")
    _row(pdf, widths, [_("Lot"), _("Net kg"), _("qq"), _("Sacks")], bold=True)
    for load in container.loads.all():
        _row(pdf, widths, [load.lot.code, _n(load.kg), _n(kg_to_qq(load.kg)), str(load.sacks)])
    weight = container_weight(container)
    _row(pdf, widths, [_("Subtotal"), _n(weight.kg), _n(weight.qq), str(weight.sacks)], bold=True)
    pdf.ln(3)


def quality_certificate_pdf(shipment: Shipment) -> bytes:
    """Per loaded lot, its latest analysis: grade, moisture, bean count and cut test."""
    from erp.quality.grades import CUT_TEST_FIELDS
    from erp.quality.models import QualityAnalysis

    pdf = _start(_("Certificate of quality %(code)s") % {"code": shipment.code})
    _lines(pdf, _shipment_lines(shipment)[:3])
    latest_first = QualityAnalysis.objects.order_by("-analysed_at", "-id")
    lots = shipment_lots(shipment).prefetch_related(Prefetch("analyses", queryset=latest_first))
    names = {field: QualityAnalysis._meta.get_field(field).verbose_name for field in CUT_TEST_FIELDS}
    for lot in lots:
        analyses = list(lot.analyses.all())
        pdf.set_font(pdf.family, "B", 10)
        heading = f"{_('Lot')} {lot.code} · {lot.get_variety_display()}"
        pdf.cell(0, 7, pdf.plain(heading), new_x="LMARGIN", new_y="NEXT")
        if analyses:
            _lines(pdf, _analysis_lines(analyses[0], names))
        else:
            pdf.set_font(pdf.family, "", 9)
            pdf.cell(0, 6, pdf.plain(_("No analysis recorded.")), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())


def _analysis_lines(analysis, names: dict) -> list[tuple[str, str]]:
    lines = [
        (_("Analysed on"), _date(timezone.localdate(analysis.analysed_at))),
        (_("Grade"), analysis.get_grade_display()),
        (_("Moisture"), f"{_n(analysis.moisture_percent)} %"),
        (_("Beans per 100 g"), str(analysis.bean_count_per_100g)),
        (_("Cut test"), _("%(size)s beans") % {"size": analysis.sample_size}),
    ]
    return lines + [
        (str(names[field]).capitalize(), f"{_n(value)} %") for field, value in analysis.percentages.items()
    ]
