"""Plot imports: GeoJSON features and CSV rows read into plots, every problem named by feature or line."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from erp.eudr.geometry import geometry_checked
from erp.eudr.plot_files import PlotRow, plots_from_csv, plots_from_geojson

D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def file_problems(read, data: bytes) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        read(data)
    return caught.value.message_dict["file"]


FEATURES = b"""{"type": "FeatureCollection", "features": [
  {"type": "Feature",
   "properties": {"name": "La Esperanza", "area_ha": 3.50, "code": "F-01", "farmer_id": "0912345675"},
   "geometry": {"type": "Point", "coordinates": [-79.100000, -1.500000]}},
  {"type": "Feature",
   "properties": {"name": "El Rosal", "area": 5, "supplier_tax_id": "0912345675001"},
   "geometry": {"type": "Polygon",
                "coordinates": [[[-79.5, -1.5], [-79.4, -1.5], [-79.4, -1.4], [-79.5, -1.5]]]}}
]}"""


def test_geojson_features_become_plots_with_decimal_numbers():
    first, second = plots_from_geojson(FEATURES)
    assert first == PlotRow(
        index=1,
        code="F-01",
        name="La Esperanza",
        area_ha=D("3.50"),
        farmer_id="0912345675",
        supplier_tax_id="",
        geometry={"type": "Point", "coordinates": [D("-79.100000"), D("-1.500000")]},
    )
    assert str(first.geometry["coordinates"][0]) == "-79.100000"  # the six decimals survive the reading
    assert (second.index, second.name, second.area_ha, second.code) == (2, "El Rosal", D("5"), "")
    assert second.supplier_tax_id == "0912345675001"


def test_a_point_read_from_geojson_passes_the_geometry_check():
    row = plots_from_geojson(FEATURES)[0]
    assert geometry_checked(geometry=row.geometry, declared_area_ha=row.area_ha).kind == "Point"


def test_a_single_feature_is_one_plot():
    data = b"""{"type": "Feature", "properties": {"name": "Uno", "area_ha": 1},
                "geometry": {"type": "Point", "coordinates": [-79.100000, -1.500000]}}"""
    assert [row.name for row in plots_from_geojson(data)] == ["Uno"]


def test_geojson_with_a_missing_name_reports_the_feature_number():
    data = FEATURES.replace(b'"name": "El Rosal", ', b"")
    assert file_problems(plots_from_geojson, data) == ["Feature 2: the property name is missing or empty."]


def test_every_geojson_problem_is_reported():
    data = b"""{"type": "FeatureCollection", "features": [
      {"type": "Feature", "properties": {"name": "A", "area_ha": 0, "farmer_id": 912345675},
       "geometry": null},
      {"type": "Feature", "properties": {"name": "B", "area_ha": 1},
       "geometry": {"type": "Point", "coordinates": [-79.100000, -1.500000]}}
    ]}"""
    assert file_problems(plots_from_geojson, data) == [
        "Feature 1: the property area_ha (hectares, greater than 0) is missing or invalid.",
        "Feature 1: the property farmer_id must be text (a number loses leading zeros).",
        "Feature 1: the geometry is missing.",
    ]


def test_a_code_used_twice_is_reported():
    data = FEATURES.replace(b'"area": 5,', b'"area": 5, "code": "F-01",')
    assert file_problems(plots_from_geojson, data) == [
        "Feature 2: the code F-01 is also the code of feature 1."
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name,area\nA,1", "The file is not valid JSON (Expecting value: line 1 column 1 (char 0))."),
        (b'{"type": "FeatureCollection", "features": []}', "The file has no features."),
        (b"[1, 2]", "The file is not GeoJSON plots: a FeatureCollection or a Feature is expected."),
        (
            b'{"type": "Point", "coordinates": [-79.100000, -1.500000]}',
            "The file holds a bare geometry: give each plot as a Feature with its name and area.",
        ),
    ],
)
def test_a_file_that_is_not_geojson_plots_is_refused(data, message):
    assert file_problems(plots_from_geojson, data) == [message]


def test_csv_with_semicolons_and_decimal_commas():
    data = (
        "\ufeffCódigo;Nombre;Hectáreas;Longitud;Latitud;Cédula\n"
        "F-01;La Esperanza;4,50;-79,500000;-1,500000;0912345675\n"
        "F-01;;;-79,498000;-1,500000;\n"
        "F-01;;;-79,498000;-1,498000;\n"
        "F-02;El Rosal;1;-79,100000;-1,400000;\n"
    ).encode()
    polygon, point = plots_from_csv(data)
    assert (polygon.index, polygon.code, polygon.name, polygon.area_ha) == (
        2,
        "F-01",
        "La Esperanza",
        D("4.50"),
    )
    assert polygon.farmer_id == "0912345675"
    # Three rows, closed here with the first position again.
    assert polygon.geometry == {
        "type": "Polygon",
        "coordinates": [
            [
                [D("-79.500000"), D("-1.500000")],
                [D("-79.498000"), D("-1.500000")],
                [D("-79.498000"), D("-1.498000")],
                [D("-79.500000"), D("-1.500000")],
            ]
        ],
    }
    assert point.index == 5
    assert point.geometry == {"type": "Point", "coordinates": [D("-79.100000"), D("-1.400000")]}
    assert str(point.geometry["coordinates"][0]) == "-79.100000"


def test_csv_with_commas_and_an_already_closed_ring():
    data = (
        b"code,name,area_ha,longitude,latitude,supplier_tax_id\n"
        b"A,Uno,1,-79.500000,-1.500000,0912345675001\n"
        b"A,Uno,1,-79.498000,-1.500000,\n"
        b"A,Uno,1,-79.498000,-1.498000,\n"
        b"A,Uno,1,-79.500000,-1.500000,\n"
    )
    (row,) = plots_from_csv(data)
    assert len(row.geometry["coordinates"][0]) == 4
    assert row.supplier_tax_id == "0912345675001"


def test_a_csv_plot_of_two_rows_is_refused_naming_the_line():
    data = (
        b"code,name,area_ha,longitude,latitude\n"
        b"A,Uno,1,-79.100000,-1.100000\n"
        b"B,Dos,1,-79.200000,-1.200000\n"
        b"B,Dos,1,-79.300000,-1.300000\n"
    )
    assert file_problems(plots_from_csv, data) == [
        "Line 3, column code: plot B has 2 rows (lines 3 and 4); a plot needs 1 row (a point) or at least 3 "
        "(a polygon)."
    ]


def test_csv_problems_are_listed_in_file_order_with_line_and_column():
    data = (
        b"code,name,area_ha,longitude,latitude\n"
        b"A,Uno,1,-79.100000,-1.100000\n"
        b"B,Dos,2,x,\n"
        b"C,Tres,1,-79,123456,-1.100000\n"
        b"A,Uno,1,-79.100000,-1.100000\n"
    )
    assert file_problems(plots_from_csv, data) == [
        "Line 3, column longitude: 'x' is not a number.",
        "Line 3, column latitude: empty.",
        "Line 4: 6 values for 5 columns; in a comma-separated file, quote numbers written with a decimal "
        "comma or separate the columns with semicolons.",
        "Line 5, column code: the rows of plot A must follow each other (its first row is line 2).",
    ]


def test_a_later_row_cannot_change_the_plot_name():
    data = (
        b"codigo;nombre;hectareas;longitud;latitud\n"
        b"A;Uno;1;-79,500000;-1,500000\n"
        b"A;Otro;1,0;-79,498000;-1,500000\n"
        b"A;;;-79,498000;-1,498000\n"
    )
    assert file_problems(plots_from_csv, data) == [
        "Line 3, column nombre: 'Otro' differs from 'Uno' on line 2, the plot's first row."
    ]


def test_a_csv_header_without_the_required_columns_is_refused():
    data = b"code;name;longitude\nA;Uno;-79.100000\n"
    assert file_problems(plots_from_csv, data) == [
        "Line 1: the header has no column area_ha, latitude (it has: code, name, longitude)."
    ]


def test_a_csv_with_only_its_header_has_no_plots():
    assert file_problems(plots_from_csv, b"code,name,area_ha,longitude,latitude\n") == [
        "The file has no plots."
    ]


def test_a_csv_that_is_not_utf8_is_refused():
    data = "code,name,area_ha,longitude,latitude\nA,Pe\u00f1a,1,-79.100000,-1.100000\n".encode("latin-1")
    assert file_problems(plots_from_csv, data) == ["The file is not UTF-8 text."]
