"""Writing a report's table to a file: CSV, XLSX or PDF, in the active language.

- CSV: UTF-8 with a byte-order mark (so Excel reads the accents right when the file is
  opened by double-click), comma-separated, dates in ISO format and decimals with a point:
  the file is for programs and imports; people get the XLSX or the PDF.
- XLSX: numbers as numbers, money with two decimals, dates as dates (openpyxl, write-only,
  so a year of a thousand companies does not sit in memory twice).
- PDF: a landscape table (fpdf2) with title, period, company and generation time; the
  header row repeats on every page. At most REPORTS_PDF_MAX_ROWS rows (the PDF then says so;
  the CSV and XLSX hold them all). The text font is REPORTS_PDF_FONT (a TrueType file,
  DejaVu Sans by default, which covers Spanish and far more); without it, the PDF falls
  back to the built-in Helvetica, which covers Latin-1 (every Spanish letter) and shows "?"
  for the rest.
"""

import csv
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from .selectors import Column, ColumnType, Table

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class Heading:
    """What the PDF and the XLSX's properties say about the report."""

    title: str
    lines: list[str]  # period, company, generated at


def file_write(fmt: str, table: Table, heading: Heading, path: Path) -> None:
    {"csv": csv_write, "xlsx": xlsx_write, "pdf": pdf_write}[fmt](table, heading, path)


# --- CSV -----------------------------------------------------------------------------------


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_write(table: Table, heading: Heading, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([str(column.label) for column in table.columns])
        for row in table.rows:
            writer.writerow([_csv_value(value) for value in row])


# --- XLSX ----------------------------------------------------------------------------------

XLSX_FORMATS = {
    ColumnType.INTEGER: "#,##0",
    ColumnType.NUMBER: "#,##0.0",
    ColumnType.MONEY: "#,##0.00",
    ColumnType.DATE: "yyyy-mm-dd",
    ColumnType.MONTH: "yyyy-mm",
}


def _sheet_title(title: str) -> str:
    """Excel refuses sheet names over 31 characters or with []:*?/\\ in them."""
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title)
    return cleaned[:31].strip() or "Report"


def xlsx_write(table: Table, heading: Heading, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    workbook.properties.title = heading.title
    workbook.properties.description = "\n".join(heading.lines)
    sheet = workbook.create_sheet(_sheet_title(heading.title))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(str(column.label)) + 4))
    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=str(column.label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    number_formats = [XLSX_FORMATS.get(column.type) for column in table.columns]
    for row in table.rows:
        cells = []
        for value, number_format in zip(row, number_formats, strict=True):
            cell = WriteOnlyCell(sheet, value=value)
            if number_format and value is not None:
                cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)
    workbook.save(path)


# --- PDF -----------------------------------------------------------------------------------

ALIGN = {
    ColumnType.INTEGER: "RIGHT",
    ColumnType.NUMBER: "RIGHT",
    ColumnType.MONEY: "RIGHT",
}


def display(value, column: Column) -> str:
    """A value as people read it in the active language (1.234,50 and 31/03/2026 in Spanish)."""
    if value is None:
        return ""
    if column.type == ColumnType.MONTH:
        return formats.date_format(value, "YEAR_MONTH_FORMAT")
    if isinstance(value, datetime):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if column.type == ColumnType.MONEY:
        return formats.number_format(value, 2, force_grouping=True)
    if column.type == ColumnType.NUMBER:
        return formats.number_format(value, 1, force_grouping=True)
    if isinstance(value, int | Decimal):
        return formats.number_format(value, force_grouping=True)
    return str(value)


def pdf_font(pdf) -> tuple[str, bool]:
    """The TrueType font of REPORTS_PDF_FONT (and its -Bold sibling when there is one), or
    the built-in Helvetica when the file is missing. Returns the family and whether it is
    Unicode."""
    regular = Path(settings.REPORTS_PDF_FONT) if settings.REPORTS_PDF_FONT else None
    if regular is None or not regular.is_file():
        return "helvetica", False
    bold = regular.with_name(f"{regular.stem}-Bold{regular.suffix}")
    pdf.add_font("report", "", str(regular))
    pdf.add_font("report", "B", str(bold if bold.is_file() else regular))
    return "report", True


def _column_widths(table: Table, rows: list[list[str]]) -> list[int]:
    """Relative widths from the longest text of each column (capped, so one long name
    does not squeeze the rest; fpdf2 wraps it)."""
    widths = []
    for index, column in enumerate(table.columns):
        longest = max([len(str(column.label)) // 2, *(len(row[index]) for row in rows[:500])], default=4)
        widths.append(max(4, min(longest, 40)))
    return widths


def _pdf_document(title: str):
    """A landscape A4 document whose pages end with the title and "page n of N"."""
    from fpdf import FPDF

    class ReportPDF(FPDF):
        report_family, report_unicode = "helvetica", False

        def plain(self, value: str) -> str:
            """The text itself, or its Latin-1 approximation with the built-in font."""
            if self.report_unicode:
                return value
            return value.encode("latin-1", "replace").decode("latin-1")

        def footer(self):
            self.set_y(-10)
            self.set_font(self.report_family, "", 7)
            page = _("Page %(page)s of %(pages)s") % {
                "page": self.page_no(),
                "pages": self.str_alias_nb_pages,
            }
            self.cell(0, 5, self.plain(f"Triboka · {title} · {page}"), align="R")

    pdf = ReportPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(True, margin=14)
    pdf.set_creator("Triboka")
    pdf.set_title(title)
    pdf.report_family, pdf.report_unicode = pdf_font(pdf)
    return pdf


def pdf_write(table: Table, heading: Heading, path: Path) -> None:
    from fpdf.fonts import FontFace

    pdf = _pdf_document(heading.title)
    family, text = pdf.report_family, pdf.plain

    limit = settings.REPORTS_PDF_MAX_ROWS
    rows = [
        [text(display(value, column)) for value, column in zip(row, table.columns, strict=True)]
        for row in table.rows[:limit]
    ]
    pdf.add_page()
    pdf.set_font(family, "B", 14)
    pdf.multi_cell(0, 8, text(heading.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    lines = list(heading.lines)
    if len(table.rows) > limit:
        lines.append(
            _("The first %(shown)s of %(rows)s rows; the CSV and XLSX files hold them all.")
            % {"shown": limit, "rows": len(table.rows)}
        )
    for line in lines:
        pdf.multi_cell(0, 5, text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(family, "", 7)
    if not rows:
        pdf.cell(0, 6, text(_("No rows for this period.")), new_x="LMARGIN", new_y="NEXT")
    totals = _totals(table, limit)
    with pdf.table(
        col_widths=_column_widths(table, rows),
        text_align=[ALIGN.get(column.type, "LEFT") for column in table.columns],
        headings_style=FontFace(emphasis="BOLD", fill_color=(225, 225, 225)),
        line_height=4,
        repeat_headings=1,
    ) as pdf_table:
        pdf_table.row([text(str(column.label)) for column in table.columns])
        for row in rows:
            pdf_table.row(row)
        if totals is not None and rows:
            pdf_table.row([text(value) for value in totals], style=FontFace(emphasis="BOLD"))
    pdf.output(str(path))


def _totals(table: Table, limit: int) -> list[str] | None:
    """The last row: sums of the summable columns, when the PDF shows every row."""
    if not any(column.total for column in table.columns) or len(table.rows) > limit:
        return None
    sums = []
    for index, column in enumerate(table.columns):
        if column.total:
            sums.append(display(sum((row[index] or 0) for row in table.rows), column))
        else:
            sums.append("")
    sums[0] = sums[0] or _("Total")
    return sums
