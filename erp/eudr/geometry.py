"""EUDR plot geolocation: a GeoJSON geometry checked against the Regulation's rules, measured and written.

Regulation (EU) 2023/1115 asks, for every plot behind a shipment, its geolocation in the format the EU
Information System takes (GeoJSON, WGS84, longitude first). The checks are pure (no database) so that the
imports, the API and the pages refuse the same things with the same messages.

Coordinates arrive as parsed JSON whose numbers are ``Decimal`` (``json.loads(..., parse_float=Decimal)``),
so "-79.100000" keeps its six decimals and the precision rule is checked on what the user wrote. An ``int``
has no decimals (refused by that rule). A ``float`` is judged by its shortest repr: -79.100000 read as a float
is -79.1 and is refused, which is why callers should parse with Decimal. Text is never a number here.
"""

import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import orjson
import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pyproj import Geod
from shapely.geometry import shape

# Art. 2(28) of Regulation (EU) 2023/1115 ("geolocation"): plots of more than four hectares are described by
# polygons; up to four hectares one latitude/longitude point is enough.
POINT_MAX_HA = Decimal("4")
# Art. 2(28) again: coordinates "using at least six decimal digits".
MIN_DECIMALS = 6
# Ecuador's extreme points, rounded outward by about 0.1° (11 km): north and west Darwin Island, Galápagos
# (about 1.68° N, 92.00° W); south the border with Peru near Zumba (about 5.01° S); east the border with Peru
# in Orellana/Pastaza (about 75.19° W). Figures from general geography references (extreme points of Ecuador),
# not from an official boundary file: the box only raises a warning, never refuses.
ECUADOR_BBOX = {
    "lon_min": Decimal("-92.1"),
    "lon_max": Decimal("-75.1"),
    "lat_min": Decimal("-5.1"),
    "lat_max": Decimal("1.7"),
}
# The company's own rule, not the Regulation's: a polygon's measured area may differ from the declared area
# by at most 25 % of the declared area, to catch a wrong unit or a plot drawn around the wrong field.
AREA_TOLERANCE = Decimal("0.25")

ALLOWED_TYPES = ("Point", "Polygon", "MultiPolygon")
# A file written with five decimals gives two messages a vertex; past this many the rest are counted.
MAX_MESSAGES = 50
SQUARE_METRES_PER_HA = Decimal("10000")
GEOD = Geod(ellps="WGS84")
GEOS_REASON = re.compile(r"^(?P<reason>[^\[]+)\[(?P<lon>\S+) (?P<lat>\S+)\]$")


@dataclass(frozen=True)
class CheckedGeometry:
    """A geometry that meets the rules, as a JSONField stores it (floats, no altitude), with its figures."""

    geometry: dict
    kind: str
    area_ha: Decimal | None
    centroid: tuple[Decimal, Decimal]
    warnings: list[str] = field(default_factory=list)


def geometry_checked(*, geometry: dict, declared_area_ha: Decimal) -> CheckedGeometry:
    """The geometry normalized and measured, or ValidationError listing every problem found and where."""
    area_errors = _declared_area_problems(declared_area_ha)
    geometry_errors = _structure_problems(geometry)
    if not geometry_errors:
        geometry_errors = _coordinate_problems(geometry["type"], geometry["coordinates"])
        if geometry["type"] == "Point" and not area_errors:
            geometry_errors += _point_area_problems(declared_area_ha)
    normalized = measured = None
    if not geometry_errors:
        normalized = {"type": geometry["type"], "coordinates": _float_coordinates(geometry["coordinates"])}
        geometry_errors = _validity_problems(normalized)
    if not geometry_errors and not area_errors and normalized["type"] != "Point":
        measured = geometry_area_ha(normalized)
        area_errors = _measured_area_problems(measured, declared_area_ha)
    errors = {"geometry": _capped(geometry_errors), "area_ha": area_errors}
    if any(errors.values()):
        raise ValidationError({key: messages for key, messages in errors.items() if messages})
    return CheckedGeometry(
        geometry=normalized,
        kind=normalized["type"],
        area_ha=measured,
        centroid=_centroid(normalized),
        warnings=_outside_ecuador_warnings(normalized),
    )


def geometry_area_ha(geometry: dict) -> Decimal:
    """The geodesic area on the WGS84 ellipsoid in hectares (holes subtracted), 4 decimals; 0 for a point."""
    if geometry["type"] == "Point":
        return Decimal("0")
    shaped = shape({"type": geometry["type"], "coordinates": _float_coordinates(geometry["coordinates"])})
    # pyproj signs each ring's area by its orientation and adds them: outer rings counter-clockwise and holes
    # clockwise make the holes subtract.
    area_m2, _perimeter = GEOD.geometry_area_perimeter(shapely.orient_polygons(shaped))
    return (_decimal(abs(area_m2)) / SQUARE_METRES_PER_HA).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def geojson_dumps(obj) -> bytes:
    """JSON of anything holding GeoJSON, every coordinate written with at least six decimals.

    A float keeps only its shortest repr (-79.1 for -79.100000), which a reader checking the Regulation's six
    decimals would refuse; so coordinates are written as text fragments with the decimals padded to six.
    """
    return orjson.dumps(_written_coordinates(obj, inside=False), default=_json_default)


def _declared_area_problems(declared_area_ha) -> list[str]:
    valid = (
        isinstance(declared_area_ha, Decimal | int)
        and not isinstance(declared_area_ha, bool)
        and Decimal(declared_area_ha).is_finite()
        and declared_area_ha > 0
    )
    return [] if valid else [_("The declared area must be a number of hectares greater than 0.")]


def _point_area_problems(declared_area_ha: Decimal) -> list[str]:
    if declared_area_ha <= POINT_MAX_HA:
        return []
    return [
        _("A plot above %(limit)s ha needs a polygon; this one is declared with %(area)s ha.")
        % {"limit": POINT_MAX_HA, "area": declared_area_ha}
    ]


def _measured_area_problems(measured: Decimal, declared: Decimal) -> list[str]:
    if abs(measured - declared) <= declared * AREA_TOLERANCE:
        return []
    return [
        _(
            "The polygon measures %(measured)s ha and %(declared)s ha are declared: they differ by more "
            "than %(tolerance)s %% of the declared area."
        )
        % {"measured": measured, "declared": declared, "tolerance": (AREA_TOLERANCE * 100).normalize()}
    ]


def _structure_problems(geometry) -> list[str]:
    """What prevents reading the geometry at all: not an object, a type not allowed, coordinates missing."""
    if not isinstance(geometry, dict):
        return [_("A GeoJSON geometry object is required.")]
    kind = geometry.get("type")
    if kind == "Feature":
        return [_("A Feature was given where its geometry is expected.")]
    if kind not in ALLOWED_TYPES:
        return [
            _("The geometry type %(type)s is not accepted; use Point, Polygon or MultiPolygon.")
            % {"type": _shown(kind)}
        ]
    if not isinstance(geometry.get("coordinates"), list) or not geometry["coordinates"]:
        return [_("The geometry has no coordinates.")]
    return []


def _coordinate_problems(kind: str, coordinates: list) -> list[str]:
    if kind == "Point":
        return [_placed(_("Point"), problem) for problem in _position_problems(coordinates)]
    problems = []
    polygons = [coordinates] if kind == "Polygon" else coordinates
    for polygon_number, polygon in enumerate(polygons, start=1):
        polygon_place = _("Polygon %(number)d") % {"number": polygon_number}
        if not isinstance(polygon, list) or not polygon:
            problems.append(_placed(polygon_place, _("a polygon is a list of rings.")))
            continue
        for ring_number, ring in enumerate(polygon, start=1):
            place = _ring_place(kind, polygon_number, ring_number)
            problems.extend(_ring_problems(place, ring))
    return problems


def _ring_place(kind: str, polygon_number: int, ring_number: int) -> str:
    if kind == "Polygon":
        return _("Ring %(ring)d") % {"ring": ring_number}
    return _("Polygon %(polygon)d, ring %(ring)d") % {"polygon": polygon_number, "ring": ring_number}


def _ring_problems(place: str, ring) -> list[str]:
    if not isinstance(ring, list):
        return [_placed(place, _("a ring is a list of positions."))]
    problems = []
    for number, position in enumerate(ring, start=1):
        position_place = _("%(place)s, position %(number)d") % {"place": place, "number": number}
        problems.extend(_placed(position_place, problem) for problem in _position_problems(position))
    if len(ring) < 4:
        problems.append(
            _placed(
                place,
                ngettext(
                    "%(count)d position; a ring needs at least 4, the last one repeating the first.",
                    "%(count)d positions; a ring needs at least 4, the last one repeating the first.",
                    len(ring),
                )
                % {"count": len(ring)},
            )
        )
    elif (
        _is_numeric_position(ring[0])
        and _is_numeric_position(ring[-1])
        and not _same_place(ring[0], ring[-1])
    ):
        problems.append(
            _placed(
                place,
                _("the ring is not closed; the first position %(first)s differs from the last %(last)s.")
                % {"first": _shown_position(ring[0]), "last": _shown_position(ring[-1])},
            )
        )
    return problems


def _position_problems(position) -> list[str]:
    """A position is [longitude, latitude], an altitude tolerated, each with at least six decimals."""
    if not isinstance(position, list | tuple) or len(position) not in (2, 3):
        return [_("a position must be [longitude, latitude].")]
    lon, lat = position[0], position[1]
    problems = [
        _("the %(axis)s must be a number, not %(value)s.") % {"axis": axis, "value": _shown(value)}
        for axis, value in ((_("longitude"), lon), (_("latitude"), lat))
        if not _is_number(value)
    ]
    if problems:
        return problems
    if _looks_swapped(lon, lat):
        problems.append(
            _("%(position)s looks like [latitude, longitude]: longitude comes first in GeoJSON.")
            % {"position": _shown_position(position)}
        )
    else:
        problems.extend(_range_problems(lon, lat))
    for axis, value in ((_("longitude"), lon), (_("latitude"), lat)):
        decimals = _decimals(value)
        if decimals < MIN_DECIMALS:
            problems.append(
                ngettext(
                    "the %(axis)s %(value)s has %(count)d decimal; at least %(minimum)d are required.",
                    "the %(axis)s %(value)s has %(count)d decimals; at least %(minimum)d are required.",
                    decimals,
                )
                % {"axis": axis, "value": _shown(value), "count": decimals, "minimum": MIN_DECIMALS}
            )
    return problems


def _range_problems(lon, lat) -> list[str]:
    problems = []
    if not -180 <= lon <= 180:
        problems.append(_("the longitude %(value)s is outside -180 to 180.") % {"value": _shown(lon)})
    if not -90 <= lat <= 90:
        problems.append(_("the latitude %(value)s is outside -90 to 90.") % {"value": _shown(lat)})
    return problems


def _looks_swapped(lon, lat) -> bool:
    """A latitude-like value first and one of Ecuador's longitudes second: written latitude first."""
    return -90 <= lon <= 90 and ECUADOR_BBOX["lon_min"] <= lat <= ECUADOR_BBOX["lon_max"]


def _validity_problems(geometry: dict) -> list[str]:
    """GEOS's reason for an invalid polygon (it reports the first one found), in words a user can act on."""
    if geometry["type"] == "Point":
        return []
    reason = shapely.is_valid_reason(shape(geometry))
    if reason == "Valid Geometry":
        return []
    return [_invalidity_message(reason)]


def _invalidity_message(reason: str) -> str:
    match = GEOS_REASON.match(reason)
    if match is None:
        return _("The polygon is not valid (%(reason)s).") % {"reason": reason}
    where = {"lon": _six(match["lon"]), "lat": _six(match["lat"])}
    messages = {
        "Self-intersection": _(
            "Self-intersection at longitude %(lon)s, latitude %(lat)s: the boundary crosses itself."
        ),
        "Ring Self-intersection": _(
            "Self-intersection at longitude %(lon)s, latitude %(lat)s: a ring touches itself."
        ),
        "Hole lies outside shell": _(
            "A hole lies outside the outer boundary, near longitude %(lon)s, latitude %(lat)s."
        ),
        "Holes are nested": _("A hole lies inside another hole, near longitude %(lon)s, latitude %(lat)s."),
        "Interior is disconnected": _(
            "The holes cut the polygon in pieces, near longitude %(lon)s, latitude %(lat)s."
        ),
        "Nested shells": _(
            "One polygon lies inside another of the same plot, near longitude %(lon)s, latitude %(lat)s."
        ),
        "Duplicate Rings": _("A ring is repeated, near longitude %(lon)s, latitude %(lat)s."),
        "Too few points in geometry component": _(
            "A ring has fewer than 3 distinct positions, near longitude %(lon)s, latitude %(lat)s."
        ),
        "Too few distinct points in geometry component": _(
            "A ring has fewer than 3 distinct positions, near longitude %(lon)s, latitude %(lat)s."
        ),
    }
    message = messages.get(match["reason"].strip())
    if message is None:
        return _("The polygon is not valid (%(reason)s) near longitude %(lon)s, latitude %(lat)s.") % {
            "reason": match["reason"].strip(),
            **where,
        }
    return message % where


def _centroid(geometry: dict) -> tuple[Decimal, Decimal]:
    point = shape(geometry).centroid
    return _quantized(point.x), _quantized(point.y)


def _outside_ecuador_warnings(geometry: dict) -> list[str]:
    positions = list(_positions(geometry["coordinates"]))
    outside = [
        (lon, lat)
        for lon, lat in positions
        if not (
            ECUADOR_BBOX["lon_min"] <= _decimal(lon) <= ECUADOR_BBOX["lon_max"]
            and ECUADOR_BBOX["lat_min"] <= _decimal(lat) <= ECUADOR_BBOX["lat_max"]
        )
    ]
    if not outside:
        return []
    return [
        _(
            "Positions outside Ecuador: %(count)d of %(total)d, the first at longitude %(lon)s, latitude "
            "%(lat)s; check the coordinates."
        )
        % {
            "count": len(outside),
            "total": len(positions),
            "lon": f"{outside[0][0]:.{MIN_DECIMALS}f}",
            "lat": f"{outside[0][1]:.{MIN_DECIMALS}f}",
        }
    ]


def _is_number(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        return False
    return value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)


def _decimal(value) -> Decimal:
    """A Decimal as written: a float by its shortest repr, so -79.1 is Decimal("-79.1")."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _decimals(value) -> int:
    return max(0, -_decimal(value).as_tuple().exponent)


def _quantized(value: float) -> Decimal:
    return _decimal(value).quantize(Decimal(1).scaleb(-MIN_DECIMALS), ROUND_HALF_UP)


def _six(text: str) -> str:
    return f"{float(text):.{MIN_DECIMALS}f}"


def _is_numeric_position(position) -> bool:
    return (
        isinstance(position, list | tuple)
        and len(position) in (2, 3)
        and _is_number(position[0])
        and _is_number(position[1])
    )


def _same_place(first, last) -> bool:
    return first[0] == last[0] and first[1] == last[1]


def _float_coordinates(coordinates):
    """Floats for shapely and the JSONField; an altitude is dropped (the Regulation asks for none)."""
    if _is_position(coordinates):
        return [float(coordinates[0]), float(coordinates[1])]
    return [_float_coordinates(item) for item in coordinates]


def _positions(coordinates):
    if _is_position(coordinates):
        yield coordinates[0], coordinates[1]
        return
    for item in coordinates:
        yield from _positions(item)


def _is_position(coordinates) -> bool:
    return isinstance(coordinates, list | tuple) and bool(coordinates) and _is_number(coordinates[0])


def _shown(value) -> str:
    return repr(value) if isinstance(value, str) or value is None else str(value)


def _shown_position(position) -> str:
    return "[" + ", ".join(_shown(value) for value in position) + "]"


def _placed(place: str, problem: str) -> str:
    return _("%(place)s: %(problem)s") % {"place": place, "problem": problem}


def _capped(messages: list[str]) -> list[str]:
    if len(messages) <= MAX_MESSAGES:
        return messages
    rest = len(messages) - MAX_MESSAGES
    return [
        *messages[:MAX_MESSAGES],
        ngettext("… and %(count)d more problem.", "… and %(count)d more problems.", rest) % {"count": rest},
    ]


def _written_coordinates(value, *, inside: bool):
    if isinstance(value, dict):
        return {
            key: _written_coordinates(item, inside=inside or key == "coordinates")
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_written_coordinates(item, inside=inside) for item in value]
    if inside and not isinstance(value, bool) and isinstance(value, Decimal | int | float):
        return orjson.Fragment(_coordinate_text(value).encode())
    return value


def _coordinate_text(value) -> str:
    number = _decimal(value)
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite coordinate")
    if _decimals(number) < MIN_DECIMALS:
        number = number.quantize(Decimal(1).scaleb(-MIN_DECIMALS))
    return format(number, "f")


def _json_default(value):
    if isinstance(value, Decimal) and value.is_finite():
        return orjson.Fragment(format(value, "f").encode())
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
