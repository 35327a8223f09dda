"""A lot's traceability certificate: a one-page PDF with its verification code, the URL of the
public page that checks it, and a QR code of that URL (segno, drawn as a PNG into fpdf2)."""

import io

import segno
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from erp.pdf import pdf_document
from erp.units import kg_to_tm
from erp.web.templatetags.erp_web import kg, plain_number, qq

QR_SIZE_MM = 45


def verification_url(request, code: str) -> str:
    """``https://<company host>/verify/<code>/``: the scheme the request came with (https behind
    the proxy, which sets X-Forwarded-Proto) and the host the user reached the company on."""
    return request.build_absolute_uri(reverse("web:ledger_verify_public", args=[code]))


def qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=2)
    buffer.seek(0)
    return buffer


def certificate_pdf(*, lot, code: str, url: str, entries: int, company_name: str) -> bytes:
    title = _("Traceability certificate")
    pdf = pdf_document(title, company_name=company_name)
    pdf.add_page()
    family, text = pdf.family, pdf.plain
    pdf.set_font(family, "B", 16)
    pdf.cell(0, 10, text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    pdf.cell(0, 6, text(company_name), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    weight = lot.weight_kg
    rows = [
        (_("Lot"), lot.code),
        (_("Variety"), lot.get_variety_display()),
        (_("Form"), lot.get_form_display()),
        (_("Grade"), lot.get_grade_display() or "—"),
        (_("Weight"), f"{kg(weight)} · {qq(weight)} · {plain_number(kg_to_tm(weight), 3)} TM"),
        (_("Ledger entries of the lot"), str(entries)),
        (_("Issued on"), formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT")),
    ]
    for label, value in rows:
        pdf.set_font(family, "B", 10)
        pdf.cell(55, 7, text(label))
        pdf.set_font(family, "", 10)
        pdf.cell(0, 7, text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(family, "B", 12)
    pdf.cell(0, 8, text(_("Verification code")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "B", 20)
    pdf.cell(0, 12, text(code), new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y() + 2
    pdf.image(qr_png(url), x=pdf.l_margin, y=top, w=QR_SIZE_MM, h=QR_SIZE_MM)
    pdf.set_xy(pdf.l_margin + QR_SIZE_MM + 6, top + 4)
    pdf.set_font(family, "", 10)
    explanation = _(
        "Anyone can check this lot's chain of custody, and that the company's ledger is intact, "
        "by scanning the code or opening:"
    )
    pdf.multi_cell(0, 5, text(explanation), new_x="LEFT", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(family, "B", 10)
    pdf.multi_cell(0, 5, text(url), link=url, new_x="LEFT", new_y="NEXT")
    return bytes(pdf.output())
