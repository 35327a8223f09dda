"""The dashboards' server-side SVG charts: well-formed, accessible, to scale, localized, escaped."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.utils.formats import get_format
from django.utils.safestring import SafeString
from django.utils.translation import override

from triboka.charts import column_chart, horizontal_bars, line_chart, progress_bars

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert('x')</script> & Co"


def progress(rows, **options):
    return progress_bars(rows, title="Contracts", done_label="Delivered", pending_label="Pending", **options)


# One chart of each kind around a given label, to check what they all promise.
CHARTS = {
    "horizontal_bars": lambda label: horizontal_bars([(label, 10), ("B", 5)], title="Stock", unit="qq"),
    "progress_bars": lambda label: progress([(label, 10, 4), ("B", 5, 5)], unit="TM"),
    "line_chart": lambda label: line_chart([(label, 10), ("B", 5)], title="Deliveries", unit="qq"),
    "column_chart": lambda label: column_chart([(label, 3), ("B", 1)], title="Humidity"),
}
EMPTY = {
    "horizontal_bars": lambda rows: horizontal_bars(rows, title="Stock"),
    "progress_bars": lambda rows: progress([(label, value, value) for label, value in rows]),
    "line_chart": lambda rows: line_chart(rows, title="Deliveries"),
    "column_chart": lambda rows: column_chart(rows, title="Humidity"),
}


def parse(markup) -> ET.Element:
    root = ET.fromstring(str(markup))
    assert root.tag == f"{SVG}svg"
    return root


def elements(root, tag: str, css: str) -> list[ET.Element]:
    """The ``tag`` elements of class ``css`` that draw data (legend swatches left out)."""
    return [
        element
        for element in root.iter(f"{SVG}{tag}")
        if css in element.get("class", "").split() and "chart-swatch" not in element.get("class", "")
    ]


def texts(root, css: str) -> list[str]:
    return [element.text for element in elements(root, "text", css)]


def width(element) -> float:
    return float(element.get("width"))


def points(polyline) -> list[str]:
    return polyline.get("points").split()


@pytest.mark.parametrize("kind", CHARTS)
def test_every_chart_is_an_accessible_svg_that_scales(kind):
    markup = CHARTS[kind]("A")
    root = parse(markup)
    assert isinstance(markup, SafeString)
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("height") is None
    assert len(root.get("viewBox").split()) == 4
    assert root.find(f"{SVG}title").text in {"Stock", "Contracts", "Deliveries", "Humidity"}
    assert "A: " in root.find(f"{SVG}desc").text


@pytest.mark.parametrize("kind", CHARTS)
def test_a_hostile_label_comes_out_escaped(kind):
    markup = str(CHARTS[kind](HOSTILE))
    assert "<script" not in markup
    assert "&lt;script&gt;" in markup
    root = parse(markup)
    assert not list(root.iter(f"{SVG}script"))
    assert HOSTILE in root.find(f"{SVG}desc").text  # read back as plain text, once escaped


@pytest.mark.parametrize("kind", EMPTY)
@pytest.mark.parametrize("rows", [[], [("A", 0), ("B", Decimal("0.00"))]], ids=["no rows", "all zero"])
def test_no_data_says_so(kind, rows):
    with override("en"):
        root = parse(EMPTY[kind](rows))
    assert texts(root, "chart-empty") == ["No data yet"]
    assert root.find(f"{SVG}desc").text == "No data yet"
    assert not elements(root, "rect", "chart-bar") and not list(root.iter(f"{SVG}polyline"))


def test_horizontal_bars_one_bar_per_row_in_proportion():
    root = parse(horizontal_bars([("A", 100), ("B", Decimal("50")), ("C", 0.0)], title="Stock"))
    a, b, c = elements(root, "rect", "chart-bar")
    assert abs(width(b) - width(a) / 2) < 0.5
    assert width(c) == 0
    assert len(texts(root, "chart-value")) == 3


def test_progress_bar_fills_the_delivered_share_and_stripes_the_rest():
    root = parse(progress([("C-1", 100, 25), ("C-2", 50, 80)], unit="TM"))
    (done_1, done_2), (pending_1, pending_2) = (
        elements(root, "rect", "chart-bar"),
        elements(root, "rect", "chart-pending"),
    )
    full = width(done_1) + width(pending_1)
    assert abs(width(done_1) - full / 4) < 0.5
    assert abs(float(pending_1.get("x")) - (float(done_1.get("x")) + width(done_1))) < 0.01
    # Over-delivered: the bar runs to the delivered amount, nothing is pending.
    assert abs(width(done_2) - full * 0.8) < 0.5 and width(pending_2) == 0
    assert texts(root, "chart-legend") == ["Delivered", "Pending"]


def test_the_pending_stripes_are_a_pattern_of_the_chart_itself():
    first, second = parse(progress([("C-1", 10, 5)])), parse(progress([("C-1", 10, 5)]))
    ids = []
    for root in (first, second):
        (pattern,) = root.iter(f"{SVG}pattern")
        ids.append(pattern.get("id"))
        assert {
            rect.get("fill") for rect in root.iter(f"{SVG}rect") if "chart-pending" in rect.get("class", "")
        } == {f"url(#{pattern.get('id')})"}
    assert ids[0] != ids[1]


def test_line_chart_one_vertex_and_one_dot_per_point():
    months = [(f"2026-{month:02}", month * 10) for month in range(1, 7)]
    root = parse(line_chart(months, title="Deliveries", unit="qq"))
    (polyline,) = root.iter(f"{SVG}polyline")
    assert len(points(polyline)) == 6
    assert len(elements(root, "circle", "chart-dot")) == 6
    heights = [float(point.split(",")[1]) for point in points(polyline)]
    assert heights == sorted(heights, reverse=True)  # rising values, climbing line (y grows downwards)


def test_a_missing_month_breaks_the_line():
    months = [
        ("2026-01", 1),
        ("2026-02", 2),
        ("2026-03", None),
        ("2026-04", 4),
        ("2026-05", 5),
        ("2026-06", 6),
    ]
    root = parse(line_chart(months, title="Deliveries"))
    assert [len(points(polyline)) for polyline in root.iter(f"{SVG}polyline")] == [2, 3]
    assert len(elements(root, "circle", "chart-dot")) == 5
    assert "2026-03: —" in root.find(f"{SVG}desc").text


def test_a_single_point_is_still_a_dot():
    root = parse(line_chart([("2026-01", Decimal("3150.40"))], title="FOB", unit="USD/TM"))
    assert len(elements(root, "circle", "chart-dot")) == 1
    assert not list(root.iter(f"{SVG}polyline"))


@pytest.mark.parametrize(
    "values, lowest",
    [([1], 0), ([3150, 3320, 2980], 0), ([Decimal("0.35"), Decimal("0.8")], 0), ([-40, 120], -50), ([7], 0)],
)
def test_the_y_axis_has_three_to_five_round_ticks_from_zero_or_below(values, lowest):
    with override("en"):
        root = parse(line_chart([(str(index), value) for index, value in enumerate(values)], title="T"))
    ticks = [Decimal(text.replace(",", "")) for text in texts(root, "chart-axis")]
    assert 3 <= len(ticks) <= 5
    assert ticks[0] == lowest and ticks[-1] >= max(values)
    steps = {later - earlier for earlier, later in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1


def test_many_x_labels_are_thinned_so_they_do_not_overlap():
    months = [(f"{2024 + month // 12}-{month % 12 + 1:02}", month) for month in range(36)]
    root = parse(line_chart(months, title="Deliveries"))
    labels = elements(root, "text", "chart-label")
    assert labels[0].text == "2024-01" and len(labels) < 36
    xs = [float(label.get("x")) for label in labels]
    assert min(later - earlier for earlier, later in zip(xs, xs[1:], strict=False)) > 7 * 12 * 0.6


def test_column_chart_columns_in_proportion():
    rows = [("5–6 %", 0), ("6–7 %", 4), ("7–8 %", 2)]
    root = parse(column_chart(rows, title="Humidity", unit="lots"))
    empty, tall, half = elements(root, "rect", "chart-bar")
    assert float(empty.get("height")) == 0
    assert abs(float(half.get("height")) - float(tall.get("height")) / 2) < 0.5
    assert float(half.get("y")) + float(half.get("height")) == pytest.approx(
        float(tall.get("y")) + float(tall.get("height"))
    )
    assert texts(root, "chart-value") == ["0", "4", "2"]
    assert texts(root, "chart-label") == ["5–6 %", "6–7 %", "7–8 %"]


def test_numbers_in_english():
    with override("en"):
        root = parse(horizontal_bars([("Dry", Decimal("1234.5"))], title="Stock", unit="qq"))
        progress_root = parse(progress([("C-1", Decimal("2000"), Decimal("1234.5"))], unit="TM"))
    assert texts(root, "chart-value") == ["1,234.50 qq"]
    assert "Dry: 1,234.50 qq" in root.find(f"{SVG}desc").text
    assert texts(progress_root, "chart-value") == ["1,234.50 / 2,000.00 TM"]
    assert "Delivered 1,234.50 TM, Pending 765.50 TM" in progress_root.find(f"{SVG}desc").text


def test_numbers_in_spanish():
    with override("es"):
        root = parse(horizontal_bars([("Seco", Decimal("1234.5"))], title="Stock", unit="qq"))
        separator = get_format("THOUSAND_SEPARATOR")
    assert separator not in {",", ""}
    assert texts(root, "chart-value") == [f"1{separator}234,50 qq"]
    assert f"Seco: 1{separator}234,50 qq" in root.find(f"{SVG}desc").text
