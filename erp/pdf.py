"""PDF documents of the ERP (receipts, certificates): A4 pages in the reports' font.

The font is the reports' (REPORTS_PDF_FONT, DejaVu Sans by default: ñ, á and ° print as
they are), so every PDF the product makes reads alike.
"""

from django.utils.translation import gettext as _

from master.reports.writers import pdf_font


def pdf_document(title: str, *, company_name: str = "", orientation: str = "P"):
    """An A4 document whose pages end with the company, the title and "page n of N".

    ``pdf.plain(text)`` gives the text as the font can print it (its Latin-1 approximation
    with the built-in font, when the TrueType file is missing)."""
    from fpdf import FPDF

    class ErpPDF(FPDF):
        family, unicode = "helvetica", False

        def plain(self, value) -> str:
            value = str(value)
            return value if self.unicode else value.encode("latin-1", "replace").decode("latin-1")

        def footer(self):
            self.set_y(-10)
            self.set_font(self.family, "", 7)
            page = _("Page %(page)s of %(pages)s") % {
                "page": self.page_no(),
                "pages": self.str_alias_nb_pages,
            }
            parts = [part for part in (company_name, title, page) if part]
            self.cell(0, 5, self.plain(" · ".join(parts)), align="R")

    pdf = ErpPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_auto_page_break(True, margin=14)
    pdf.set_creator("Triboka")
    pdf.set_title(title)
    pdf.family, pdf.unicode = pdf_font(pdf)
    return pdf
