"""FOB reference prices: the API (admins write, everyone reads), the CSV importer and the
import_fob_prices command."""

import http.server
import threading
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_tenants.utils import tenant_context

from erp.management.commands.import_fob_prices import Command
from erp.market.fob_import import FobImportError, fob_decode, fob_import
from erp.market.models import FobPrice
from erp.market.services import fob_price_create

URL = "/api/v1/fob-prices/"
LATEST = "/api/v1/fob-prices/latest/"
DATA = Path(__file__).parent / "data"
BCE_COLUMNS = {"year": "Año", "month": "Mes", "price": "Precio FOB (USD/TM)", "source": "Fuente"}


@pytest.fixture
def routing_frozen(monkeypatch):
    """Counting a request's queries: other test runs on the same Redis may bump the shared
    routing generation at any moment, which adds a domain lookup at random; keep the routes
    this process has cached."""
    monkeypatch.setattr("master.companies.routing._forget_if_changed_elsewhere", lambda: None)


def add_price(world, year, month, usd, source="BCE") -> FobPrice:
    with tenant_context(world.company):
        return fob_price_create(year=year, month=month, usd_per_tm=Decimal(usd), source=source)


def prices(world) -> dict[tuple, Decimal]:
    with tenant_context(world.company):
        return {(p.year, p.month, p.source): p.usd_per_tm for p in FobPrice.objects.all()}


def import_text(world, text, **options):
    with tenant_context(world.company):
        return fob_import(
            text, column_map=options.get("column_map"), default_source=options.get("default_source")
        )


# --- the API ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "exporter", "center", "supplier"])
def test_every_role_reads_the_prices(erp_a, role):
    price = add_price(erp_a, 2026, 1, "6319.50")
    client = erp_a.client(role)

    assert [p["id"] for p in client.get(URL).json()["results"]] == [price.pk]
    body = client.get(f"{URL}{price.pk}/").json()
    assert body["usd_per_tm"] == "6319.50"
    assert body["usd_per_qq"] == "286.65"


def test_an_admin_creates_updates_and_deletes_a_price(erp_a):
    client = erp_a.client("admin")

    response = client.post(URL, {"year": 2026, "month": 2, "usd_per_tm": "6410.75", "source": "BCE"})
    assert response.status_code == 201, response.content
    detail = f"{URL}{response.json()['id']}/"
    assert client.patch(detail, {"usd_per_tm": "6400"}, format="json").status_code == 200
    assert prices(erp_a) == {(2026, 2, "BCE"): Decimal("6400.00")}
    assert client.delete(detail).status_code == 204
    assert prices(erp_a) == {}


@pytest.mark.parametrize("role", ["exporter", "center", "supplier"])
def test_only_admins_write_prices(erp_a, role):
    price = add_price(erp_a, 2026, 1, "6319.50")
    client = erp_a.client(role)
    detail = f"{URL}{price.pk}/"

    assert client.post(URL, {"year": 2026, "month": 2, "usd_per_tm": "1", "source": "X"}).status_code == 403
    assert client.patch(detail, {"usd_per_tm": "1"}, format="json").status_code == 403
    assert client.delete(detail).status_code == 403
    assert prices(erp_a) == {(2026, 1, "BCE"): Decimal("6319.50")}


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"month": 13}, "month"),
        ({"year": 1900}, "year"),
        ({"usd_per_tm": "0"}, "usd_per_tm"),
        ({"usd_per_tm": "abc"}, "usd_per_tm"),
        ({"source": ""}, "source"),
    ],
)
def test_bad_prices_answer_400_and_write_nothing(erp_a, changes, field):
    add_price(erp_a, 2026, 1, "6319.50")
    data = {"year": 2026, "month": 2, "usd_per_tm": "6400", "source": "BCE", **changes}

    response = erp_a.client("admin").post(URL, data, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert len(prices(erp_a)) == 1


def test_a_second_price_for_the_same_month_and_source_answers_400(erp_a):
    add_price(erp_a, 2026, 1, "6319.50")
    data = {"year": 2026, "month": 1, "usd_per_tm": "6400", "source": "BCE"}

    response = erp_a.client("admin").post(URL, data, format="json")

    assert response.status_code == 400, response.content
    assert prices(erp_a) == {(2026, 1, "BCE"): Decimal("6319.50")}


def test_it_filters_by_year_and_source_newest_first(erp_a):
    add_price(erp_a, 2025, 12, "6100")
    add_price(erp_a, 2026, 2, "6400")
    add_price(erp_a, 2026, 1, "6300", source="MAG")
    client = erp_a.client("supplier")

    months = [(p["year"], p["month"]) for p in client.get(URL).json()["results"]]
    assert months == [(2026, 2), (2026, 1), (2025, 12)]
    assert [p["month"] for p in client.get(URL, {"year": 2026, "source": "BCE"}).json()["results"]] == [2]


def test_latest_answers_the_most_recent_month(erp_a):
    add_price(erp_a, 2026, 1, "6300")
    add_price(erp_a, 2025, 12, "6100")
    add_price(erp_a, 2025, 11, "5900", source="MAG")
    client = erp_a.client("center")

    assert client.get(LATEST).json()["usd_per_tm"] == "6300.00"
    assert client.get(LATEST, {"source": "MAG"}).json()["usd_per_tm"] == "5900.00"


def test_latest_answers_404_when_there_is_no_price(erp_a):
    response = erp_a.client("exporter").get(LATEST)

    assert response.status_code == 404
    assert response.json()["detail"]


def test_company_a_prices_are_not_found_on_company_b(erp_a, erp_b):
    price = add_price(erp_a, 2026, 1, "6319.50")
    client = erp_b.client("admin")

    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{price.pk}/").status_code == 404
    assert client.delete(f"{URL}{price.pk}/").status_code == 404
    assert client.get(LATEST).status_code == 404
    assert prices(erp_a) == {(2026, 1, "BCE"): Decimal("6319.50")}


def test_the_list_runs_a_constant_number_of_queries(erp_a, routing_frozen):
    client = erp_a.client("supplier")
    add_price(erp_a, 2020, 1, "2500")
    client.get(URL)  # warm the routing cache

    small = count_queries(client, {"page_size": 1})
    for month in range(1, 13):
        add_price(erp_a, 2025, month, "6000")
    large = count_queries(client, {"page_size": 20})

    assert large == small


def count_queries(client, params) -> int:
    connection.set_schema_to_public()  # as any request starts
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return len(queries)


# --- the importer ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, value",
    [
        ("6319.50", "6319.50"),
        ('"6319,50"', "6319.50"),
        ('"6.319,50"', "6319.50"),
        ('"6,319.50"', "6319.50"),
        ("6.319", "6319"),
        ("6319", "6319"),
        ('"6319,5"', "6319.50"),
    ],
)
def test_it_reads_a_decimal_comma_or_point(erp_a, written, value):
    report = import_text(erp_a, f"year,month,price,source\n2026,1,{written},BCE\n")

    assert (report.added, report.rejected) == (1, [])
    assert prices(erp_a) == {(2026, 1, "BCE"): Decimal(value)}


def test_an_unquoted_decimal_comma_in_a_comma_separated_file_is_rejected_not_misread(erp_a):
    report = import_text(erp_a, "year,month,price,source\n2026,1,6319,50,BCE\n2026,2,6400,BCE\n")

    assert report.added == 1
    assert [line for line, _reason in report.rejected] == [2]
    assert prices(erp_a) == {(2026, 2, "BCE"): Decimal("6400")}


def test_it_reads_semicolons_and_a_decimal_comma(erp_a):
    report = import_text(erp_a, "Year;Month;Price;Source\n2026;1;6319,50;BCE\n2026;2;6.410,75;BCE\n")

    assert report.added == 2
    assert prices(erp_a)[(2026, 2, "BCE")] == Decimal("6410.75")


def test_it_imports_a_latin1_file_with_spanish_headers_through_a_column_map(erp_a):
    text = fob_decode((DATA / "fob_bce_latin1.csv").read_bytes())

    report = import_text(erp_a, text, column_map=BCE_COLUMNS)

    assert (report.added, report.rejected) == (3, [])
    assert prices(erp_a) == {
        (2025, 11, "Banco Central del Ecuador"): Decimal("5980.25"),
        (2025, 12, "Banco Central del Ecuador"): Decimal("6102.00"),
        (2026, 1, "Banco Central del Ecuador"): Decimal("6319.50"),
    }


def test_it_decodes_utf8_with_a_byte_order_mark():
    text = fob_decode("\ufeffAño,mes\n".encode())

    assert text == "Año,mes\n"


@pytest.mark.parametrize("month", ["3", "03", "marzo", "Marzo", "MARCH", "mar."])
def test_it_reads_month_numbers_and_names(erp_a, month):
    import_text(erp_a, f"year,month,price,source\n2026,{month},6000,BCE\n")

    assert list(prices(erp_a)) == [(2026, 3, "BCE")]


def test_a_second_import_changes_nothing_and_a_changed_price_is_updated(erp_a):
    text = (DATA / "fob_bce_latin1.csv").read_bytes().decode("latin-1")
    import_text(erp_a, text, column_map=BCE_COLUMNS)

    again = import_text(erp_a, text, column_map=BCE_COLUMNS)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)

    changed = import_text(erp_a, text.replace("6.319,50", "6.400,00"), column_map=BCE_COLUMNS)
    assert (changed.added, changed.updated, changed.unchanged) == (0, 1, 2)
    assert prices(erp_a)[(2026, 1, "Banco Central del Ecuador")] == Decimal("6400.00")


def test_bad_rows_are_rejected_with_their_line_while_good_rows_import(erp_a):
    report = import_text(erp_a, (DATA / "fob_prices.csv").read_text())

    assert report.added == 2
    assert [line for line, _reason in report.rejected] == [4, 5, 6]
    reasons = dict(report.rejected)
    assert reasons[4].startswith("month") and "13" in reasons[4]
    assert reasons[5].startswith("price") and "abc" in reasons[5]
    assert reasons[6].startswith("source")
    assert set(prices(erp_a)) == {(2026, 1, "MAG"), (2026, 2, "MAG")}


def test_rows_without_a_source_take_the_default_source(erp_a):
    report = import_text(erp_a, "year,month,price\n2026,1,6319.50\n", default_source="BCE")

    assert report.added == 1
    assert list(prices(erp_a)) == [(2026, 1, "BCE")]


def test_a_repeated_row_is_rejected(erp_a):
    report = import_text(erp_a, "year,month,price,source\n2026,1,6300,BCE\n\n2026,1,6400,BCE\n")

    assert report.added == 1
    assert [line for line, _reason in report.rejected] == [4]
    assert prices(erp_a) == {(2026, 1, "BCE"): Decimal("6300")}


@pytest.mark.parametrize(
    "text, options",
    [
        ("", {}),
        ("year,month,source\n2026,1,BCE\n", {}),
        ("year,month,price\n2026,1,6300\n", {}),
        ("year,month,price,source\n2026,1,6300,BCE\n", {"column_map": {"cost": "price"}}),
        ("year,month,price,source\n2026,1,6300,BCE\n", {"column_map": {"price": "Precio"}}),
    ],
)
def test_a_file_without_the_needed_columns_is_refused_whole(erp_a, text, options):
    with pytest.raises(FobImportError):
        import_text(erp_a, text, **options)

    assert prices(erp_a) == {}


# --- the command -----------------------------------------------------------------------


def run_command(*args) -> str:
    out = StringIO()
    with translation.override("en"):  # the report is checked in English
        call_command(Command(), *args, stdout=out)
    return out.getvalue()


def test_the_command_imports_into_one_company(erp_a, erp_b):
    output = run_command(
        str(DATA / "fob_bce_latin1.csv"),
        "--column-map",
        "year=Año,month=Mes,price=Precio FOB (USD/TM),source=Fuente",
        "--company",
        erp_a.company.slug,
    )

    assert "3 added" in output
    assert len(prices(erp_a)) == 3
    assert prices(erp_b) == {}


def test_the_command_imports_into_every_company_and_reports_rejected_lines(erp_a, erp_b):
    output = run_command(str(DATA / "fob_prices.csv"), "--source", "MAG")

    assert set(prices(erp_a)) == set(prices(erp_b)) == {(2026, 1, "MAG"), (2026, 2, "MAG"), (2026, 4, "MAG")}
    assert output.count("3 added") == 2
    assert "line 4:" in output and "line 5:" in output and "line 6:" not in output


class DataFiles(http.server.SimpleHTTPRequestHandler):
    """Serves tests/erp/data over HTTP, quietly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(DATA), **kwargs)

    def log_message(self, *args):
        pass


@pytest.fixture
def data_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), DataFiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_the_command_reads_a_url(erp_a, erp_b, data_url):
    run_command(f"{data_url}/fob_prices.csv", "--company", erp_b.company.slug)

    assert set(prices(erp_b)) == {(2026, 1, "MAG"), (2026, 2, "MAG")}
    assert prices(erp_a) == {}


def test_an_unreachable_url_stops_the_command(erp_a, data_url):
    with pytest.raises(CommandError, match="404"):
        run_command(f"{data_url}/nothing.csv")


@pytest.mark.parametrize(
    "args",
    [
        [str(DATA / "fob_prices.csv"), "--company", "nowhere"],
        [str(DATA / "missing.csv")],
        ["http://127.0.0.1:9/fob.csv"],
        [str(DATA / "fob_prices.csv"), "--column-map", "cost=Precio"],
        [str(DATA / "fob_prices.csv"), "--column-map", "price"],
        [str(DATA / "fob_bce_latin1.csv")],  # its headers need a column map
    ],
)
def test_bad_options_stop_the_command_with_a_clear_error(erp_a, erp_b, args):
    with pytest.raises(CommandError):
        run_command(*args)

    assert prices(erp_a) == prices(erp_b) == {}
