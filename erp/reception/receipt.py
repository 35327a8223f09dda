"""The supplier's receipt of a reception (PDF), in the user's language (Spanish first)."""

from django.db import connection
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from erp.pdf import pdf_document
from erp.units import kg_to_qq

from .models import Reception


def _kg(value) -> str:
    return _("%(kg)s kg (%(qq)s qq)") % {
        "kg": formats.number_format(value, 2, use_l10n=True, force_grouping=True),
        "qq": formats.number_format(kg_to_qq(value), 2, use_l10n=True, force_grouping=True),
    }


def _number(value, places=2) -> str:
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def receipt_lines(reception: Reception) -> list[tuple[str, str]]:
    r = reception
    moment = formats.date_format(timezone.localtime(r.received_at), "DATETIME_FORMAT")
    lines = [
        (_("Number"), r.number),
        (_("Date"), moment),
        (_("Supplier"), f"{r.supplier.name} ({r.supplier.tax_id})"),
        (_("Collection center"), r.center.name),
        (_("Lot"), r.lot.code),
        (_("Product"), f"{r.get_form_display()} · {r.get_variety_display()}"),
        (_("Sacks"), str(r.sacks)),
        (_("Gross weight"), _kg(r.gross_weight_kg)),
        (_("Tare"), _kg(r.tare_weight_kg)),
        (_("Net weight"), _kg(r.net_weight_kg)),
        (
            _("Moisture"),
            _("%(moisture)s %% (standard %(standard)s %%): discount %(kg)s")
            % {
                "moisture": _number(r.moisture_percent),
                "standard": _number(r.standard_moisture_percent),
                "kg": _kg(r.moisture_discount_kg),
            },
        ),
        (
            _("Impurities"),
            _("%(impurities)s %%: discount %(kg)s")
            % {"impurities": _number(r.impurities_percent), "kg": _kg(r.impurities_discount_kg)},
        ),
        (_("Paid weight"), _kg(r.paid_weight_kg)),
        (_("Price"), _("%(price)s USD/qq") % {"price": _number(r.price_usd_per_qq)}),
        (_("Amount to pay"), _("%(amount)s USD") % {"amount": _number(r.amount_usd)}),
    ]
    if r.is_voided:
        lines.append((_("VOID"), r.void_reason))
    return lines


def formula_text() -> str:
    return _(
        "Paid weight = net × (100 − moisture) / (100 − standard moisture), only when wetter than the "
        "standard (no bonus for drier cacao), × (100 − impurities) / 100, rounded to 0.01 kg; "
        "amount = paid weight in qq (kg / 45.359237) × price USD/qq."
    )


def receipt_pdf(reception: Reception) -> bytes:
    company = getattr(connection.tenant, "name", "")
    title = _("Reception receipt %(number)s") % {"number": reception.number}
    pdf = pdf_document(title, company_name=company)
    pdf.add_page()
    pdf.set_font(pdf.family, "B", 14)
    pdf.cell(0, 8, pdf.plain(company), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family, "B", 12)
    pdf.cell(0, 8, pdf.plain(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for label, value in receipt_lines(reception):
        pdf.set_font(pdf.family, "B", 10)
        pdf.cell(50, 7, pdf.plain(label))
        pdf.set_font(pdf.family, "", 10)
        pdf.multi_cell(0, 7, pdf.plain(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(pdf.family, "", 8)
    pdf.multi_cell(0, 4.5, pdf.plain(formula_text()), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(14)
    pdf.set_font(pdf.family, "", 10)
    pdf.cell(85, 6, pdf.plain("______________________________"))
    pdf.cell(0, 6, pdf.plain("______________________________"), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(85, 6, pdf.plain(_("Received by (center)")))
    pdf.cell(0, 6, pdf.plain(_("Delivered by (supplier)")), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
