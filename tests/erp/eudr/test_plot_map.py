"""The offline SVG map of plots: well-formed, escaped, one shape a plot, coloured by status, to scale."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from erp.eudr.plot_map import plots_svg

D = Decimal
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def rectangle(west, south, east, north) -> dict:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def numbers(path: ET.Element) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))]


PLOTS = [
    {
        "label": "<script>alert(1)</script>",
        "geometry": rectangle(-79.5, -1.5, -79.498, -1.498),
        "status": "verified",
    },
    {"label": "El Rosal", "geometry": rectangle(-79.49, -1.5, -79.488, -1.498), "status": "rejected"},
    {
        "label": "Finca & Co",
        "geometry": {"type": "Point", "coordinates": [D("-79.495000"), D("-1.503000")]},
        "status": "pending",
    },
]


def test_the_map_is_well_formed_svg_with_one_path_per_polygon_and_one_circle_per_point():
    root = parsed(plots_svg(PLOTS))
    assert root.tag == f"{SVG}svg"
    assert len(root.findall(f".//{SVG}path")) == 2
    assert len(root.findall(f".//{SVG}circle")) == 1


def test_labels_are_escaped():
    svg = plots_svg(PLOTS)
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    texts = [text.text for text in parsed(svg).iter(f"{SVG}text")]
    assert "<script>alert(1)</script>" in texts
    assert "Finca & Co" in texts


def test_the_map_is_an_image_named_by_its_number_of_plots():
    root = parsed(plots_svg(PLOTS))
    assert (root.get("role"), root.get("aria-label")) == ("img", "Map of 3 plots")


def test_plots_are_coloured_by_status_with_a_legend():
    root = parsed(plots_svg(PLOTS))
    verified, rejected = root.findall(f".//{SVG}path")
    (pending,) = root.findall(f".//{SVG}circle")
    assert (verified.get("fill"), pending.get("fill"), rejected.get("fill")) == (
        "#2e7d32",
        "#e0a100",
        "#c62828",
    )
    legend = [text.text for text in root.find(f".//{SVG}g[@class='legend']").iter(f"{SVG}text")]
    assert legend == ["Verified", "Pending", "Rejected"]


def test_objects_with_attributes_are_drawn_and_plots_without_location_skipped():
    plots = [
        SimpleNamespace(label="Uno", geometry=rectangle(-79.5, -1.5, -79.498, -1.498), status="verified"),
        SimpleNamespace(label="Sin ubicación", geometry=None, status="pending"),
    ]
    root = parsed(plots_svg(plots))
    assert root.get("aria-label") == "Map of 1 plot"
    assert len(root.findall(f".//{SVG}path")) == 1


def test_the_longitude_is_scaled_by_the_cosine_of_the_latitude():
    # At 60° a degree of longitude is half a degree of latitude on the ground (cos 60° = 0.5): a field
    # 0.004° wide and 0.002° tall is a square and is drawn as one.
    field = rectangle(10.0, 59.999, 10.004, 60.001)
    (path,) = parsed(plots_svg([{"label": "A", "geometry": field, "status": "verified"}])).iter(f"{SVG}path")
    xs, ys = numbers(path)[0::2], numbers(path)[1::2]
    assert (max(xs) - min(xs)) / (max(ys) - min(ys)) == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize(
    ("span", "text", "length"),
    [
        # A 0.01° square on the equator fills the 344 px of height (420 − 28 legend − 2 × 24 margin):
        # 34,400 px a degree, 111,195 m / 34,400 = 3.2324 m a pixel; a fifth of the 640 px width is 413.7 m,
        # rounded down to 200 m, drawn 200 / 3.2324 = 61.9 px long.
        (0.01, "200 m", 61.9),
        # Ten times larger: 32.324 m a pixel, 4,137 m → 2 km, 61.9 px.
        (0.1, "2 km", 61.9),
    ],
)
def test_the_scale_bar_is_a_round_length(span, text, length):
    plot = {
        "label": "A",
        "geometry": rectangle(-79.5, -span / 2, -79.5 + span, span / 2),
        "status": "pending",
    }
    bar = parsed(plots_svg([plot])).find(f".//{SVG}g[@class='scale-bar']")
    assert bar.find(f"{SVG}text").text == text
    line = bar.find(f"{SVG}line")
    assert float(line.get("x2")) - float(line.get("x1")) == pytest.approx(length, abs=0.1)


def test_the_map_has_a_north_arrow():
    arrow = parsed(plots_svg(PLOTS)).find(f".//{SVG}g[@class='north-arrow']")
    assert arrow.find(f"{SVG}text").text == "N"


def test_no_plots_give_a_small_map_saying_so():
    root = parsed(plots_svg([]))
    assert root.get("aria-label") == "No plots with a location yet"
    assert root.find(f"{SVG}text").text == "No plots with a location yet"
    assert root.get("height") == "60"
