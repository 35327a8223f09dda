"""Server-side SVG charts for the HTML dashboards.

The charts are drawn here, in Python, as SVG markup that a template drops in with ``{{ chart }}``:
no JavaScript, no CDN and no chart library to load or audit, so a dashboard works offline, with
scripts blocked and on a slow phone. Each SVG has ``role="img"``, a ``<title>`` and a ``<desc>``
that reads the values out for screen readers, and scales to its container (``width="100%"`` plus
a ``viewBox``). The pending part of a progress bar is striped, not only lighter, so colour is never
the only cue. Labels come from users (partner names), so every one is escaped; every number goes
through Django's number formats (``1,234.50`` in English, ``1 234,50`` with Django's ``es`` format).

Inline ``fill``/``stroke`` attributes make a chart look right without CSS; the ``chart-*`` classes
let a stylesheet restyle it.
"""

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from itertools import groupby
from uuid import uuid4

from django.utils.formats import number_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 480
PAD = 8
FONT = 14
SMALL_FONT = 12
CHAR_WIDTH = 0.6  # average glyph width as a fraction of the font size, to fit text
INK = "#1f2933"
MUTED = "#56616b"
BAR = "#1f5f8b"
PENDING_BACKGROUND = "#dbe7f1"
GRID = "#d9dee3"

BAR_HEIGHT = 18
LABEL_LINE = FONT + 4  # a row's label sits on its own line above the bar
ROW_HEIGHT = LABEL_LINE + BAR_HEIGHT + 10
VALUE_ROOM = 120  # right of the longest bar, for its value
LEGEND_HEIGHT = 26

PLOT_TOP = 26
PLOT_HEIGHT = 180
PLOT_LEFT = 72  # room for the y tick numbers
PLOT_WIDTH = WIDTH - PLOT_LEFT - PAD
AXES_CHART_HEIGHT = PLOT_TOP + PLOT_HEIGHT + 28  # plus the x labels
NICE_MULTIPLES = (1, 2, Decimal("2.5"), 5, 10, 20, 25, 50)
MIN_INTERVALS, MAX_INTERVALS = 2, 4


def horizontal_bars(rows, *, title: str, unit: str = "", decimal_pos: int = 2) -> SafeString:
    """One bar per ``(label, value)``, the label above it and the value at its end."""
    rows = [(str(label), _decimal(value)) for label, value in rows]
    largest = max((value for _label, value in rows), default=Decimal(0))
    if largest <= 0:
        return _no_data(title)
    bar_room = WIDTH - 2 * PAD - VALUE_ROOM
    parts = []
    for index, (label, value) in enumerate(rows):
        top = PAD + index * ROW_HEIGHT
        bar_top = top + LABEL_LINE
        width = _scale(max(value, 0), largest, bar_room)
        parts += [
            _text(_fit(label, WIDTH - 2 * PAD), PAD, top + FONT, css="chart-label"),
            _rect("chart-bar", PAD, bar_top, width, BAR_HEIGHT, BAR),
            _text(_number(value, decimal_pos, unit), PAD + width + 6, bar_top + 14, css="chart-value"),
        ]
    desc = _describe(title, [(label, _number(value, decimal_pos, unit)) for label, value in rows])
    return _svg(_new_id(), title, desc, 2 * PAD + len(rows) * ROW_HEIGHT, parts)


def progress_bars(
    rows, *, title: str, unit: str = "", decimal_pos: int = 2, done_label: str, pending_label: str
) -> SafeString:
    """One bar per ``(label, contracted, delivered)``: delivered solid, the rest still pending striped.

    A bar is as long as ``max(contracted, delivered)``, so an over-delivery shows as a longer bar."""
    rows = [
        (str(label), max(_decimal(contracted), 0), max(_decimal(delivered), 0))
        for label, contracted, delivered in rows
    ]
    largest = max((max(contracted, delivered) for _label, contracted, delivered in rows), default=Decimal(0))
    if largest <= 0:
        return _no_data(title)
    chart_id = _new_id()
    pattern_id = f"{chart_id}-pending"
    stripes = f"url(#{pattern_id})"
    bar_room = WIDTH - 2 * PAD
    parts = [_stripes(pattern_id), *_legend(done_label, pending_label, pattern_id)]
    summaries = []
    for index, (label, contracted, delivered) in enumerate(rows):
        top = LEGEND_HEIGHT + PAD + index * ROW_HEIGHT
        bar_top = top + LABEL_LINE
        pending = max(contracted - delivered, 0)
        done_width = _scale(delivered, largest, bar_room)
        pending_width = _scale(pending, largest, bar_room)
        figures = f"{_number(delivered, decimal_pos)} / {_number(contracted, decimal_pos, unit)}"
        parts += [
            _text(_fit(label, bar_room - _text_width(figures) - 12), PAD, top + FONT, css="chart-label"),
            _text(figures, WIDTH - PAD, top + FONT, css="chart-value", anchor="end"),
            _rect("chart-bar", PAD, bar_top, done_width, BAR_HEIGHT, BAR),
            _rect("chart-pending", PAD + done_width, bar_top, pending_width, BAR_HEIGHT, stripes, stroke=BAR),
        ]
        done, left = _number(delivered, decimal_pos, unit), _number(pending, decimal_pos, unit)
        summaries.append((label, f"{done_label} {done}, {pending_label} {left}"))
    height = LEGEND_HEIGHT + 2 * PAD + len(rows) * ROW_HEIGHT
    return _svg(chart_id, title, _describe(title, summaries), height, parts)


def line_chart(points, *, title: str, unit: str = "", decimal_pos: int = 2) -> SafeString:
    """A line through ``(label, value)`` points in order; a ``None`` value breaks the line there."""
    points = [(str(label), None if value is None else _decimal(value)) for label, value in points]
    values = [value for _label, value in points if value is not None]
    if not any(values):
        return _no_data(title)
    axis = _Axis.nice(values, decimal_pos)
    band = PLOT_WIDTH / len(points)
    parts = [*_y_axis(axis, unit), *_x_labels([label for label, _value in points], band)]
    coordinates = [
        None if value is None else (_band_centre(index, band), axis.y(value))
        for index, (_label, value) in enumerate(points)
    ]
    runs = [list(run) for is_gap, run in groupby(coordinates, key=lambda xy: xy is None) if not is_gap]
    parts += [_polyline(run) for run in runs if len(run) > 1]
    for (label, value), xy in zip(points, coordinates, strict=True):
        if xy is not None:
            parts.append(_dot(*xy, tooltip=f"{label}: {_number(value, decimal_pos, unit)}"))
    desc = _describe(
        title,
        [(label, "—" if value is None else _number(value, decimal_pos, unit)) for label, value in points],
    )
    return _svg(_new_id(), title, desc, AXES_CHART_HEIGHT, parts)


def column_chart(rows, *, title: str, unit: str = "", decimal_pos: int = 0) -> SafeString:
    """Vertical bars, one per ``(label, value)``, each with its value on top when it fits."""
    rows = [(str(label), _decimal(value)) for label, value in rows]
    if not any(value for _label, value in rows):
        return _no_data(title)
    axis = _Axis.nice([value for _label, value in rows], decimal_pos)
    band = PLOT_WIDTH / len(rows)
    parts = [*_y_axis(axis, unit), *_x_labels([label for label, _value in rows], band)]
    for index, (label, value) in enumerate(rows):
        top, bottom = axis.y(max(value, 0)), axis.y(min(value, 0))
        x, figure = _band_centre(index, band), _number(value, decimal_pos)
        tooltip = f"{label}: {_number(value, decimal_pos, unit)}"
        parts.append(_rect("chart-bar", x - band * 0.35, top, band * 0.7, bottom - top, BAR, tooltip=tooltip))
        if _text_width(figure, SMALL_FONT) <= band:
            parts.append(_text(figure, x, top - 4, css="chart-value", anchor="middle", size=SMALL_FONT))
    desc = _describe(title, [(label, _number(value, decimal_pos, unit)) for label, value in rows])
    return _svg(_new_id(), title, desc, AXES_CHART_HEIGHT, parts)


@dataclass(frozen=True)
class _Axis:
    """A y axis from ``low`` to ``high`` in round ``step``s, always including zero."""

    low: Decimal
    high: Decimal
    step: Decimal

    @classmethod
    def nice(cls, values, decimal_pos: int) -> "_Axis":
        """The finest axis of round steps (1, 2, 2.5, 5 × 10ⁿ) that fits ``values`` in at most four
        intervals; whole steps only when the values are shown without decimals (lot counts)."""
        low, high = min(min(values), Decimal(0)), max(max(values), Decimal(0))
        magnitude = Decimal(1).scaleb(((high - low) / MAX_INTERVALS).adjusted())
        smallest_step = Decimal(1) if decimal_pos == 0 else Decimal(0)
        for multiple in NICE_MULTIPLES:
            step = max(magnitude * multiple, smallest_step)
            bottom = (low / step).to_integral_value(ROUND_FLOOR) * step
            top = (high / step).to_integral_value(ROUND_CEILING) * step
            if (top - bottom) / step <= MAX_INTERVALS:
                break
        if (top - bottom) / step < MIN_INTERVALS:  # a single lot: ticks 0, 1, 2 rather than only 0, 1
            top, bottom = (top + step, bottom) if high > 0 else (top, bottom - step)
        return cls(bottom, top, step)

    def ticks(self) -> list[Decimal]:
        count = int((self.high - self.low) / self.step)
        return [self.low + self.step * index for index in range(count + 1)]

    @property
    def tick_decimals(self) -> int:
        return max(0, -self.step.normalize().as_tuple().exponent)

    def y(self, value: Decimal) -> float:
        return PLOT_TOP + PLOT_HEIGHT * float((self.high - value) / (self.high - self.low))


def _y_axis(axis: _Axis, unit: str) -> list[SafeString]:
    parts = [_text(unit, PAD, PLOT_TOP - 12, css="chart-axis", size=SMALL_FONT, fill=MUTED)] if unit else []
    for tick in axis.ticks():
        y = axis.y(tick)
        css, colour = ("chart-axis", MUTED) if tick == 0 else ("chart-grid", GRID)
        label = number_format(tick, axis.tick_decimals, use_l10n=True, force_grouping=True)
        parts += [
            _line(css, PLOT_LEFT, y, WIDTH - PAD, y, colour),
            _text(label, PLOT_LEFT - 6, y + 4, css="chart-axis", anchor="end", size=SMALL_FONT, fill=MUTED),
        ]
    return parts


def _x_labels(labels: list[str], band: float) -> list[SafeString]:
    """Labels under the plot; every n-th one only when there are too many to fit side by side."""
    labels = [_fit(label, 120, SMALL_FONT) for label in labels]
    widest = max(_text_width(label, SMALL_FONT) for label in labels) + 8
    every = max(1, math.ceil(widest / band))
    y = PLOT_TOP + PLOT_HEIGHT + 18
    return [
        _text(label, _band_centre(index, band), y, css="chart-label", anchor="middle", size=SMALL_FONT)
        for index, label in enumerate(labels)
        if index % every == 0
    ]


def _polyline(run: list[tuple[float, float]]) -> SafeString:
    coordinates = " ".join(f"{_coord(x)},{_coord(y)}" for x, y in run)
    return format_html(
        '<polyline class="chart-line" points="{}" fill="none" stroke="{}" stroke-width="2.5" '
        'stroke-linejoin="round"/>',
        coordinates,
        BAR,
    )


def _dot(x: float, y: float, *, tooltip: str) -> SafeString:
    return format_html(
        '<circle class="chart-dot" cx="{}" cy="{}" r="4" fill="{}">{}</circle>',
        _coord(x), _coord(y), BAR, _tooltip(tooltip),
    )  # fmt: skip


def _stripes(pattern_id: str) -> SafeString:
    return format_html(
        '<defs><pattern id="{}" patternUnits="userSpaceOnUse" width="8" height="8" '
        'patternTransform="rotate(45)"><rect width="8" height="8" fill="{}"/>'
        '<line x1="0" y1="0" x2="0" y2="8" stroke="{}" stroke-width="3"/></pattern></defs>',
        pattern_id, PENDING_BACKGROUND, BAR,
    )  # fmt: skip


def _legend(done_label: str, pending_label: str, pattern_id: str) -> list[SafeString]:
    pending_x = PAD + 20 + _text_width(done_label) + 16
    return [
        _rect("chart-bar chart-swatch", PAD, PAD, 14, 14, BAR),
        _text(done_label, PAD + 20, PAD + 12, css="chart-legend"),
        _rect("chart-pending chart-swatch", pending_x, PAD, 14, 14, f"url(#{pattern_id})", stroke=BAR),
        _text(pending_label, pending_x + 20, PAD + 12, css="chart-legend"),
    ]


def _no_data(title: str) -> SafeString:
    message = _("No data yet")
    body = _text(message, WIDTH / 2, 28, css="chart-empty", anchor="middle", fill=MUTED)
    return _svg(_new_id(), title, message, 44, [body])


def _svg(chart_id: str, title: str, desc: str, height: float, parts) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMidYMin meet" role="img" aria-labelledby="{}-title {}-desc" '
        'font-family="system-ui, sans-serif" font-size="{}">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH, _coord(height), chart_id, chart_id, FONT, chart_id, title, chart_id, desc,
        mark_safe("".join(conditional_escape(part) for part in parts)),
    )  # fmt: skip


def _text(content: str, x: float, y: float, *, css: str, anchor="start", size=FONT, fill=INK) -> SafeString:
    return format_html(
        '<text class="{}" x="{}" y="{}" text-anchor="{}" font-size="{}" fill="{}">{}</text>',
        css, _coord(x), _coord(y), anchor, size, fill, content,
    )  # fmt: skip


def _rect(css: str, x, y, width, height, fill: str, *, stroke="none", tooltip="") -> SafeString:
    return format_html(
        '<rect class="{}" x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}">{}</rect>',
        css, _coord(x), _coord(y), _coord(width), _coord(height), fill, stroke, _tooltip(tooltip),
    )  # fmt: skip


def _line(css: str, x1: float, y1: float, x2: float, y2: float, stroke: str) -> SafeString:
    return format_html(
        '<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>',
        css, _coord(x1), _coord(y1), _coord(x2), _coord(y2), stroke,
    )  # fmt: skip


def _tooltip(text: str) -> SafeString:
    return format_html("<title>{}</title>", text) if text else mark_safe("")


def _describe(title: str, items: list[tuple[str, str]]) -> str:
    return f"{title}: " + "; ".join(f"{label}: {value}" for label, value in items) + "."


def _number(value: Decimal, decimal_pos: int, unit: str = "") -> str:
    text = number_format(value, decimal_pos, use_l10n=True, force_grouping=True)
    return f"{text} {unit}" if unit else text


def _decimal(value) -> Decimal:
    # Through str() so a float 0.1 becomes Decimal("0.1"), not its binary expansion.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _scale(value: Decimal, largest: Decimal, length: float) -> float:
    return float(value / largest) * length


def _band_centre(index: int, band: float) -> float:
    return PLOT_LEFT + band * (index + 0.5)


def _text_width(text: str, size: int = FONT) -> float:
    return len(text) * size * CHAR_WIDTH


def _fit(label: str, width: float, size: int = FONT) -> str:
    """``label`` cut short with an ellipsis to fit ``width``; the desc keeps the full text."""
    max_chars = max(int(width / (size * CHAR_WIDTH)), 4)
    return label if len(label) <= max_chars else label[: max_chars - 1] + "…"


def _coord(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _new_id() -> str:
    # Random, not a counter: ids must stay unique across charts rendered by different requests or
    # processes and then shown on one page, or the pending stripes would point at another chart.
    return f"chart-{uuid4().hex[:12]}"
