"""Plot imports read from a GeoJSON or CSV file into rows, without touching the database.

Numbers are read as Decimal from the text, so "-79.100000" keeps the six decimals the Regulation asks for.
The file is refused as a whole (every problem listed, each with its feature or line and its property or
column) when it cannot be read into rows; the geometry of each row is checked afterwards by the caller with
``geometry_checked``, so that a bad polygon is reported against its own plot.
"""

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Each logical field with the names a file may give it: English, Spanish (accents and case ignored).
ALIASES = {
    "code": ("code", "codigo"),
    "name": ("name", "nombre"),
    "area_ha": ("area_ha", "area", "hectareas"),
    "longitude": ("longitude", "longitud", "lon"),
    "latitude": ("latitude", "latitud", "lat"),
    "farmer_id": ("farmer_id", "cedula"),
    "supplier_tax_id": ("supplier_tax_id", "ruc_proveedor"),
}
CSV_REQUIRED = ("code", "name", "area_ha", "longitude", "latitude")
TEXT_FIELDS = ("code", "farmer_id", "supplier_tax_id")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


@dataclass
class PlotRow:
    """One plot as the file gives it; ``index`` is its feature number or its first CSV line."""

    index: int
    code: str
    name: str
    area_ha: Decimal
    farmer_id: str
    supplier_tax_id: str
    geometry: dict


def plots_from_geojson(data: bytes) -> list[PlotRow]:
    """The plots of a FeatureCollection (or one Feature); ValidationError on "file" listing every problem."""
    features = _features(_json(data))
    rows, problems, codes = [], [], {}
    for number, feature in enumerate(features, start=1):
        row, feature_problems = _feature_row(number, feature)
        problems.extend(feature_problems)
        if row is None:
            continue
        if row.code and row.code in codes:
            problems.append(
                _("Feature %(number)d: the code %(code)s is also the code of feature %(other)d.")
                % {"number": number, "code": row.code, "other": codes[row.code]}
            )
        codes.setdefault(row.code, number)
        rows.append(row)
    if problems:
        raise ValidationError({"file": problems})
    return rows


def plots_from_csv(data: bytes) -> list[PlotRow]:
    """The plots of a CSV file, one row a position; ValidationError on "file" listing every problem.

    The rows of a plot share its code and follow each other: one row is a point, three or more a polygon
    (closed here when the last position is not the first). The name and area come from the plot's first row;
    later rows may leave them empty.
    """
    text = _text(data)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    columns = _columns(next(reader, None))
    groups, problems = _position_groups(reader, columns, decimal_comma=delimiter == ";")
    rows = []
    for group in groups:
        row, plot_problems = _csv_plot(group, columns)
        problems.extend(plot_problems)
        if row is not None:
            rows.append(row)
    if problems:
        raise ValidationError({"file": [message for _line, message in sorted(problems, key=lambda p: p[0])]})
    if not rows:
        raise ValidationError({"file": [_("The file has no plots.")]})
    return rows


def _json(data: bytes):
    try:
        return json.loads(data, parse_float=Decimal, parse_constant=_refused_constant)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationError(
            {"file": [_("The file is not valid JSON (%(error)s).") % {"error": error}]}
        ) from error


def _refused_constant(name: str):
    raise ValueError(_("%(name)s is not a number JSON allows") % {"name": name})


def _features(document) -> list:
    kind = document.get("type") if isinstance(document, dict) else None
    if kind == "Feature":
        return [document]
    if kind != "FeatureCollection":
        message = _("The file is not GeoJSON plots: a FeatureCollection or a Feature is expected.")
        if kind in ("Point", "Polygon", "MultiPolygon"):
            message = _("The file holds a bare geometry: give each plot as a Feature with its name and area.")
        raise ValidationError({"file": [message]})
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise ValidationError({"file": [_("The file has no features.")]})
    return features


def _feature_row(number: int, feature) -> tuple[PlotRow | None, list[str]]:
    def problem(message: str) -> str:
        return _("Feature %(number)d: %(problem)s") % {"number": number, "problem": message}

    if not isinstance(feature, dict):
        return None, [problem(_("not a GeoJSON Feature."))]
    properties = feature.get("properties")
    properties = _by_field(properties if isinstance(properties, dict) else {})
    problems = []
    name = properties.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(problem(_("the property name is missing or empty.")))
    area = _property_area(properties.get("area_ha"))
    if area is None:
        problems.append(problem(_("the property area_ha (hectares, greater than 0) is missing or invalid.")))
    texts = {}
    for key in TEXT_FIELDS:
        value = properties.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(
                problem(_("the property %(key)s must be text (a number loses leading zeros).") % {"key": key})
            )
        texts[key] = value.strip() if isinstance(value, str) else ""
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        problems.append(problem(_("the geometry is missing.")))
    if problems:
        return None, problems
    return PlotRow(index=number, name=name.strip(), area_ha=area, geometry=geometry, **texts), []


def _by_field(properties: dict) -> dict:
    """The properties under their logical names, whichever alias or case the file used."""
    fields = {}
    for key, value in properties.items():
        field = _field_of(key) if isinstance(key, str) else None
        if field is not None and field not in fields:
            fields[field] = value
    return fields


def _field_of(name: str) -> str | None:
    normal = _normal(name)
    return next((field for field, aliases in ALIASES.items() if normal in aliases), None)


def _normal(name: str) -> str:
    """Casefolded, without accents: "Código" and "CODIGO" are "codigo"."""
    decomposed = unicodedata.normalize("NFKD", name.strip().casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _property_area(value) -> Decimal | None:
    if isinstance(value, str):
        value = _number(value, decimal_comma=True)
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return None
    area = Decimal(value)
    return area if area.is_finite() and area > 0 else None


def _number(text: str, *, decimal_comma: bool) -> Decimal | None:
    """A Decimal written with a point (or, if allowed, a comma); None if the text is not a plain number."""
    text = text.strip()
    if decimal_comma and "," in text and "." not in text:
        text = text.replace(",", ".")
    if not NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # the pattern should make this unreachable
        return None


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError({"file": [_("The file is not UTF-8 text.")]}) from error
    if "\x00" in text:
        raise ValidationError({"file": [_("The file contains NUL characters; it is not a text CSV file.")]})
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _delimiter(text: str) -> str:
    """Semicolon or comma, whichever the header line holds more of (a spreadsheet in Spanish writes ";")."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


@dataclass(frozen=True)
class _Columns:
    """Where each field is in a row, and its name as the file's header writes it (to name it in a message)."""

    index: dict[str, int]
    names: dict[str, str]
    width: int

    def problem(self, line: int, field: str, message: str) -> tuple[int, str]:
        """The message placed at its line and column, keyed by the line to list the problems in file order."""
        column = self.names.get(field, field)
        return line, _("Line %(line)d, column %(column)s: %(problem)s") % {
            "line": line,
            "column": column,
            "problem": message,
        }


def _columns(header: list[str] | None) -> _Columns:
    if header is None:
        raise ValidationError({"file": [_("The file is empty.")]})
    index, names = {}, {}
    for position, name in enumerate(header):
        field = _field_of(name)
        if field is not None and field not in index:
            index[field], names[field] = position, name.strip()
    missing = [field for field in CSV_REQUIRED if field not in index]
    if missing:
        raise ValidationError(
            {
                "file": [
                    _("Line 1: the header has no column %(missing)s (it has: %(header)s).")
                    % {"missing": ", ".join(missing), "header": ", ".join(header)}
                ]
            }
        )
    return _Columns(index=index, names=names, width=len(header))


@dataclass
class _Position:
    line: int
    cells: dict[str, str]
    longitude: Decimal | None
    latitude: Decimal | None
    area_ha: Decimal | None


def _position_groups(reader, columns: _Columns, *, decimal_comma: bool):
    """The rows read and grouped by plot code, in the order of the file; with the problems found."""
    groups, problems, first_line = [], [], {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        line = reader.line_num
        if len(row) > columns.width:  # most likely a decimal comma in a comma-separated file
            message = _(
                "Line %(line)d: %(cells)d values for %(columns)d columns; in a comma-separated file, "
                "quote numbers written with a decimal comma or separate the columns with semicolons."
            ) % {"line": line, "cells": len(row), "columns": columns.width}
            problems.append((line, message))
            continue
        cells = {
            field: row[index].strip() if index < len(row) else "" for field, index in columns.index.items()
        }
        position, row_problems = _csv_position(line, cells, columns, decimal_comma=decimal_comma)
        problems.extend(row_problems)
        code = cells["code"]
        if not code:
            continue
        if groups and groups[-1][0].cells["code"] == code:
            groups[-1].append(position)
        elif code in first_line:
            message = _(
                "the rows of plot %(code)s must follow each other (its first row is line %(first)d)."
            ) % {
                "code": code,
                "first": first_line[code],
            }
            problems.append(columns.problem(line, "code", message))
        else:
            first_line[code] = line
            groups.append([position])
    return groups, problems


def _csv_position(
    line: int, cells: dict[str, str], columns: _Columns, *, decimal_comma: bool
) -> tuple[_Position, list[tuple[int, str]]]:
    problems = []
    if not cells["code"]:
        problems.append(columns.problem(line, "code", _("empty; every row needs its plot's code.")))
    numbers = {}
    for field in ("longitude", "latitude", "area_ha"):
        numbers[field] = _number(cells[field], decimal_comma=decimal_comma) if cells[field] else None
        if cells[field] and numbers[field] is None:
            message = _("%(value)r is not a number.") % {"value": cells[field]}
            problems.append(columns.problem(line, field, message))
        elif not cells[field] and field != "area_ha":
            problems.append(columns.problem(line, field, _("empty.")))
    position = _Position(line, cells, numbers["longitude"], numbers["latitude"], numbers["area_ha"])
    return position, problems


def _csv_plot(group: list[_Position], columns: _Columns) -> tuple[PlotRow | None, list[tuple[int, str]]]:
    """A plot from its rows, or None and the reasons."""
    first = group[0]
    problems = []
    if len(group) == 2:
        message = _(
            "plot %(code)s has 2 rows (lines %(first)d and %(second)d); a plot needs 1 row (a point) or "
            "at least 3 (a polygon)."
        ) % {"code": first.cells["code"], "first": first.line, "second": group[1].line}
        problems.append(columns.problem(first.line, "code", message))
    if not first.cells["name"]:
        message = _("empty; the first row of a plot needs its name.")
        problems.append(columns.problem(first.line, "name", message))
    if first.area_ha is None and first.cells["area_ha"] == "":
        message = _("empty; the first row of a plot needs its area.")
        problems.append(columns.problem(first.line, "area_ha", message))
    elif first.area_ha is not None and first.area_ha <= 0:
        message = _("the area must be greater than 0 hectares.")
        problems.append(columns.problem(first.line, "area_ha", message))
    problems.extend(_differing_cells(group, columns))
    unreadable = first.area_ha is None or any(p.longitude is None or p.latitude is None for p in group)
    if problems or unreadable:  # an unreadable number is reported with its own row
        return None, problems
    row = PlotRow(
        index=first.line,
        code=first.cells["code"],
        name=first.cells["name"],
        area_ha=first.area_ha,
        farmer_id=first.cells.get("farmer_id", ""),
        supplier_tax_id=first.cells.get("supplier_tax_id", ""),
        geometry=_geometry([(p.longitude, p.latitude) for p in group]),
    )
    return row, problems


def _differing_cells(group: list[_Position], columns: _Columns) -> list[tuple[int, str]]:
    """A later row may leave the plot's name, area or ids empty, but not give other ones."""
    first, problems = group[0], []
    for position in group[1:]:
        for field in ("name", "area_ha", "farmer_id", "supplier_tax_id"):
            value = position.cells.get(field, "")
            if (
                field == "area_ha"
            ):  # compared as numbers ("4,5" is 4.50); one not a number is reported already
                same = position.area_ha is None or position.area_ha == first.area_ha
            else:
                same = value == first.cells.get(field, "")
            if value and not same:
                message = _("%(value)r differs from %(first)r on line %(line)d, the plot's first row.") % {
                    "value": value,
                    "first": first.cells.get(field, ""),
                    "line": first.line,
                }
                problems.append(columns.problem(position.line, field, message))
    return problems


def _geometry(positions: list[tuple[Decimal, Decimal]]) -> dict:
    if len(positions) == 1:
        return {"type": "Point", "coordinates": list(positions[0])}
    ring = [list(position) for position in positions]
    if ring[0] != ring[-1]:
        ring.append(list(ring[0]))
    return {"type": "Polygon", "coordinates": [ring]}
