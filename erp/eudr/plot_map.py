"""An offline SVG map of plots: shapes, labels, a legend by status, a scale bar and a north arrow.

No tiles, CDN or JavaScript, so the map shows on a page served without internet access and prints in a PDF.
The projection is equirectangular with the longitude scaled by the cosine of the mean latitude: over a few
kilometres it keeps the plots' shapes and lets one scale bar hold for both axes.
"""

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

STATUS_COLOURS = {"verified": "#2e7d32", "pending": "#e0a100", "rejected": "#c62828"}
OTHER_COLOUR = "#757575"
# Metres in one degree of a great circle on a sphere of the Earth's mean radius (6,371 km): π × R / 180.
METRES_PER_DEGREE = 111_195
MARGIN = 24
LEGEND_HEIGHT = 28
# A lone point (or plots side by side on one line) is shown with at least this span, about 550 m.
MIN_SPAN_DEGREES = 0.005
POINT_RADIUS = 5


@dataclass
class _Shape:
    label: str
    status: str
    kind: str
    polygons: list  # for a Point, one polygon of one ring of one position


@dataclass(frozen=True)
class _Projection:
    lon_min: float
    lat_max: float
    cos_lat: float
    scale: float  # pixels per degree of latitude
    left: float
    top: float

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            self.left + (lon - self.lon_min) * self.cos_lat * self.scale,
            self.top + (self.lat_max - lat) * self.scale,
        )


def plots_svg(plots, *, width: int = 640, height: int = 420) -> SafeString:
    """The plots (objects or dicts with ``label``, ``geometry``, ``status``) drawn as SVG markup.

    Every text put in the markup is escaped (a plot's name may hold "<script>"), so it is marked safe.
    """
    shapes = [shape for shape in map(_shape, plots) if shape is not None]
    if not shapes:
        return _empty_svg(width)
    projection = _fitted(shapes, width=width, height=height - LEGEND_HEIGHT)
    label = ngettext("Map of %(count)d plot", "Map of %(count)d plots", len(shapes)) % {"count": len(shapes)}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif">',
        f'<rect width="{width}" height="{height}" fill="#f7f5ef"/>',
        *(_drawn(shape, projection) for shape in shapes),
        *(_label(shape, projection) for shape in shapes),
        _scale_bar(projection, width=width, height=height),
        _north_arrow(width),
        _legend(height),
        "</svg>",
    ]
    return mark_safe("\n".join(parts))


def _field(plot, name: str):
    return plot.get(name) if isinstance(plot, dict) else getattr(plot, name, None)


def _shape(plot) -> _Shape | None:
    geometry = _field(plot, "geometry")
    if not isinstance(geometry, dict) or not geometry.get("coordinates"):
        return None
    kind, coordinates = geometry.get("type"), geometry["coordinates"]
    if kind == "Point":
        polygons = [[[coordinates]]]
    elif kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates
    else:
        return None
    floats = [[[(float(p[0]), float(p[1])) for p in ring] for ring in polygon] for polygon in polygons]
    return _Shape(str(_field(plot, "label") or ""), str(_field(plot, "status") or ""), kind, floats)


def _positions(shape: _Shape):
    for polygon in shape.polygons:
        for ring in polygon:
            yield from ring


def _fitted(shapes: list[_Shape], *, width: int, height: int) -> _Projection:
    """The projection that fits every position in the drawing area, centred, with a margin."""
    positions = [position for shape in shapes for position in _positions(shape)]
    lons, lats = [lon for lon, _lat in positions], [lat for _lon, lat in positions]
    cos_lat = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = max((max(lons) - min(lons)) * cos_lat, MIN_SPAN_DEGREES)
    span_y = max(max(lats) - min(lats), MIN_SPAN_DEGREES)
    inner_width, inner_height = width - 2 * MARGIN, height - 2 * MARGIN
    scale = min(inner_width / span_x, inner_height / span_y)
    drawn_x = (max(lons) - min(lons)) * cos_lat * scale
    drawn_y = (max(lats) - min(lats)) * scale
    return _Projection(
        lon_min=min(lons),
        lat_max=max(lats),
        cos_lat=cos_lat,
        scale=scale,
        left=MARGIN + (inner_width - drawn_x) / 2,
        top=MARGIN + (inner_height - drawn_y) / 2,
    )


def _colour(status: str) -> str:
    return STATUS_COLOURS.get(status, OTHER_COLOUR)


def _drawn(shape: _Shape, projection: _Projection) -> str:
    colour = _colour(shape.status)
    title = f"<title>{escape(shape.label)}</title>"
    if shape.kind == "Point":
        x, y = projection.xy(*shape.polygons[0][0][0])
        return (
            f'<circle class="plot" cx="{x:.1f}" cy="{y:.1f}" r="{POINT_RADIUS}" fill="{colour}" '
            f'stroke="#ffffff" stroke-width="1.5">{title}</circle>'
        )
    path = " ".join(
        "M " + " L ".join(f"{x:.1f} {y:.1f}" for x, y in (projection.xy(*p) for p in ring)) + " Z"
        for polygon in shape.polygons
        for ring in polygon
    )
    return (
        f'<path class="plot" d="{path}" fill="{colour}" fill-opacity="0.45" fill-rule="evenodd" '
        f'stroke="{colour}" stroke-width="1.5">{title}</path>'
    )


def _label(shape: _Shape, projection: _Projection) -> str:
    """The plot's name beside its point, or in the middle of its outer boundary's extent."""
    points = [projection.xy(*p) for polygon in shape.polygons for p in polygon[0]]
    xs, ys = [x for x, _y in points], [y for _x, y in points]
    if shape.kind == "Point":
        x, y, anchor = xs[0] + POINT_RADIUS + 3, ys[0] + 4, "start"
    else:
        x, y, anchor = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2 + 4, "middle"
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="11" fill="#212121" '
        f'stroke="#ffffff" stroke-width="3" paint-order="stroke">{escape(shape.label)}</text>'
    )


def _scale_length(metres: float) -> int:
    """The largest 1, 2 or 5 times a power of ten not above ``metres`` (at least 1 m)."""
    power = 10 ** math.floor(math.log10(max(metres, 1)))
    return max(step * power for step in (1, 2, 5) if step * power <= max(metres, 1))


def _scale_text(metres: int) -> str:
    if metres < 1000:
        return _("%(count)d m") % {"count": metres}
    return _("%(count)s km") % {"count": f"{metres / 1000:g}"}


def _scale_bar(projection: _Projection, *, width: int, height: int) -> str:
    metres_per_pixel = METRES_PER_DEGREE / projection.scale
    metres = _scale_length(metres_per_pixel * width / 5)
    length = metres / metres_per_pixel
    x, y = MARGIN, height - LEGEND_HEIGHT - 8
    return (
        f'<g class="scale-bar" stroke="#212121" stroke-width="2">'
        f'<line x1="{x}" y1="{y}" x2="{x + length:.1f}" y2="{y}"/>'
        f'<line x1="{x}" y1="{y - 4}" x2="{x}" y2="{y + 1}"/>'
        f'<line x1="{x + length:.1f}" y1="{y - 4}" x2="{x + length:.1f}" y2="{y + 1}"/>'
        f'<text x="{x + length + 6:.1f}" y="{y + 4}" font-size="11" stroke="none" fill="#212121">'
        f"{escape(_scale_text(metres))}</text></g>"
    )


def _north_arrow(width: int) -> str:
    x, y = width - MARGIN, MARGIN
    return (
        f'<g class="north-arrow"><polygon points="{x},{y} {x - 6},{y + 16} {x},{y + 12} {x + 6},{y + 16}" '
        f'fill="#212121"/><text x="{x}" y="{y + 30}" text-anchor="middle" font-size="12" fill="#212121">'
        f"{escape(pgettext('north on a map', 'N'))}</text></g>"
    )


def _legend(height: int) -> str:
    names = {"verified": _("Verified"), "pending": _("Pending"), "rejected": _("Rejected")}
    y, items, x = height - LEGEND_HEIGHT + 8, [], MARGIN
    for status, name in names.items():
        items.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{STATUS_COLOURS[status]}"/>'
            f'<text x="{x + 17}" y="{y + 10}" font-size="11" fill="#212121">{escape(name)}</text>'
        )
        x += 110
    return f'<g class="legend">{"".join(items)}</g>'


def _empty_svg(width: int) -> SafeString:
    text = escape(_("No plots with a location yet"))
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{text}" '
        f'width="{width}" height="60" viewBox="0 0 {width} 60" font-family="sans-serif">'
        f'<rect width="{width}" height="60" fill="#f7f5ef"/>'
        f'<text x="{width / 2:.0f}" y="35" text-anchor="middle" font-size="13" fill="#616161">{text}</text>'
        "</svg>"
    )
