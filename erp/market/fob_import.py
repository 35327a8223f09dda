"""Import monthly FOB reference prices from a CSV file (Ecuador's open data, or any sheet).

The files come from spreadsheets in Spanish or English: decimal comma or point, comma or
semicolon between columns, months as numbers or names, UTF-8 or Latin-1. A row that cannot
be read is rejected with its line number and the reason; the others are imported. Rows are
keyed on (year, month, source), so importing the same file twice changes nothing.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import FobPrice

COLUMNS = ("year", "month", "price", "source")
REQUIRED_COLUMNS = ("year", "month", "price")
# The model's field behind each logical column, to name the column in a rejection.
FIELD_COLUMN = {"year": "year", "month": "month", "usd_per_tm": "price", "source": "source"}

MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("enero", "ene", "january", "jan"),
            ("febrero", "feb", "february"),
            ("marzo", "mar", "march"),
            ("abril", "abr", "april", "apr"),
            ("mayo", "may"),
            ("junio", "jun", "june"),
            ("julio", "jul", "july"),
            ("agosto", "ago", "august", "aug"),
            ("septiembre", "setiembre", "sep", "sept", "set", "september"),
            ("octubre", "oct", "october"),
            ("noviembre", "nov", "november"),
            ("diciembre", "dic", "december", "dec"),
        ],
        start=1,
    )
    for name in names
}

# Numbers as spreadsheets write them. With both separators the last one is the decimal
# mark; a lone separator followed by exactly three digits groups thousands ("2.950" and
# "2,950" are 2950: a price in USD/TM never has three decimals).
PLAIN = re.compile(r"-?\d+")
GROUPED_POINT = re.compile(r"-?\d{1,3}(\.\d{3})+(,\d+)?")  # 6.319,50 / 6.319
GROUPED_COMMA = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")  # 6,319.50 / 6,319
DECIMAL_COMMA = re.compile(r"-?\d+,\d+")  # 6319,50
DECIMAL_POINT = re.compile(r"-?\d+\.\d+")  # 6319.50


class FobImportError(Exception):
    """The file as a whole cannot be imported (no header, a required column missing...)."""


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def fob_decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Latin-1, which any byte decodes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


@transaction.atomic
def fob_import(
    text: str, *, column_map: dict[str, str] | None = None, default_source: str | None = None
) -> ImportReport:
    """Add or update the FOB prices of a CSV text in the current company's schema.

    ``column_map`` maps a logical column (year, month, price, source) to its header in the
    file; unmapped columns are found by their logical name, in any case. Rows without a
    source take ``default_source``.
    """
    default_source = (default_source or "").strip()
    if "\x00" in text:
        raise FobImportError(_("The file contains NUL characters; it is not a text CSV file."))
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows and old Mac line endings
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=_delimiter(text))
    header = next(reader, None)
    if header is None:
        raise FobImportError(_("The file is empty."))
    positions = _positions(header, column_map or {}, has_default_source=bool(default_source))
    report, seen, prices = ImportReport(), {}, []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        line = reader.line_num
        if len(row) > len(header):  # most likely a decimal comma left unquoted
            report.rejected.append((line, _too_many_cells(len(row), len(header))))
            continue
        try:
            price = _price(row, positions, default_source)
        except ValidationError as error:
            report.rejected.append((line, _reason(error)))
            continue
        key = (price.year, price.month, price.source)
        if key in seen:
            report.rejected.append(
                (line, _("the same year, month and source as line %(line)d.") % {"line": seen[key]})
            )
            continue
        seen[key] = line
        prices.append(price)
    _save(prices, report)
    return report


def _too_many_cells(cells: int, columns: int) -> str:
    return _(
        "%(cells)d values for %(columns)d columns; in a comma-separated file, quote numbers "
        "written with a decimal comma."
    ) % {"cells": cells, "columns": columns}


def _delimiter(text: str) -> str:
    """Comma or semicolon, whichever the header line uses more."""
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _normal(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip().casefold()


def _positions(header: list[str], column_map: dict[str, str], *, has_default_source: bool) -> dict[str, int]:
    unknown = set(column_map) - set(COLUMNS)
    if unknown:
        raise FobImportError(
            _("Unknown columns in the column map: %(unknown)s (known: %(known)s).")
            % {"unknown": ", ".join(sorted(unknown)), "known": ", ".join(COLUMNS)}
        )
    index = {_normal(name): position for position, name in enumerate(header)}
    positions = {}
    for column in COLUMNS:
        wanted = column_map.get(column, column)
        if _normal(wanted) in index:
            positions[column] = index[_normal(wanted)]
    missing = [column_map.get(c, c) for c in REQUIRED_COLUMNS if c not in positions]
    if "source" not in positions and (not has_default_source or "source" in column_map):
        missing.append(column_map.get("source", "source"))
    if missing:
        raise FobImportError(
            _("The header has no column %(missing)s (it has: %(header)s).")
            % {"missing": ", ".join(repr(m) for m in missing), "header": ", ".join(header)}
        )
    return positions


def _price(row: list[str], positions: dict[str, int], default_source: str) -> FobPrice:
    """An unsaved FobPrice from one row, validated as the model would; or ValidationError."""

    def cell(column: str) -> str:
        position = positions.get(column)
        return row[position].strip() if position is not None and position < len(row) else ""

    source = cell("source") or default_source
    if not source:
        raise ValidationError({"source": _("none in the row and no default source given.")})
    price = FobPrice(
        year=_whole(cell("year"), "year"),
        month=_month(cell("month")),
        usd_per_tm=_amount(cell("price")),
        source=source,
    )
    price.full_clean(validate_unique=False, validate_constraints=False)
    return price


def _whole(value: str, column: str) -> int:
    if not PLAIN.fullmatch(value):
        raise ValidationError({column: _("%(value)r is not a whole number.") % {"value": value}})
    return int(value)


def _month(value: str) -> int:
    number = MONTH_NAMES.get(_normal(value).rstrip("."))
    if number is not None:
        return number
    if not PLAIN.fullmatch(value):
        raise ValidationError(
            {"month": _("%(value)r is neither a month number nor a month name.") % {"value": value}}
        )
    if not 1 <= int(value) <= 12:
        raise ValidationError({"month": _("%(value)s is out of range (1 to 12).") % {"value": value}})
    return int(value)


def _amount(value: str) -> Decimal:
    """A price written with a decimal comma or point, with or without thousands groups."""
    text = value.replace("\u00a0", "").replace(" ", "").removeprefix("$")
    if PLAIN.fullmatch(text):
        number = text
    elif GROUPED_POINT.fullmatch(text):
        number = text.replace(".", "").replace(",", ".")
    elif GROUPED_COMMA.fullmatch(text):
        number = text.replace(",", "")
    elif DECIMAL_COMMA.fullmatch(text):
        number = text.replace(",", ".")
    elif DECIMAL_POINT.fullmatch(text):
        number = text
    else:
        raise ValidationError({"usd_per_tm": _("%(value)r is not a number.") % {"value": value}})
    try:
        return Decimal(number)
    except InvalidOperation as error:  # the patterns above should make this unreachable
        raise ValidationError({"usd_per_tm": _("%(value)r is not a number.") % {"value": value}}) from error


def _reason(error: ValidationError) -> str:
    return " ".join(
        f"{FIELD_COLUMN.get(name, name)}: {' '.join(messages)}"
        for name, messages in error.message_dict.items()
    )


def _save(prices: list[FobPrice], report: ImportReport) -> None:
    """Add the new (year, month, source), update those whose price changed."""
    stored = {
        (p.year, p.month, p.source): p
        for p in FobPrice.objects.filter(
            year__in={p.year for p in prices}, source__in={p.source for p in prices}
        )
    }
    new = []
    for price in prices:
        current = stored.get((price.year, price.month, price.source))
        if current is None:
            new.append(price)
        elif current.usd_per_tm == price.usd_per_tm:
            report.unchanged += 1
        else:
            current.usd_per_tm = price.usd_per_tm
            current.save(update_fields=["usd_per_tm", "updated_at"])
            report.updated += 1
    FobPrice.objects.bulk_create(new)
    report.added += len(new)
