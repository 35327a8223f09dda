"""The processing pages: who may open each one, the forms (start, turn, reading, finish) and
their errors, the moisture chart, the lot page's section with the measured factor, another
company's objects and the license's processing module."""

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from erp.processing.models import FermentationBatch
from master.licensing.models import Module
from tests.erp.web.conftest import page_client

from .helpers import ago, drying, fermenting, make, wet_lot

ROLES = ["admin", "exporter", "center", "supplier"]


def codes(admin, exporter, center, supplier):
    return dict(zip(ROLES, (admin, exporter, center, supplier), strict=True))


READ_CENTERS = codes(200, 200, 200, 404)  # a center's step: the supplier may not see its lot
WRITE_CENTERS = codes(200, 200, 200, 403)
PAGES = [
    ("/processing/", codes(200, 200, 200, 200)),
    ("/processing/fermentations/new/", WRITE_CENTERS),
    ("/processing/fermentations/{f}/", READ_CENTERS),
    ("/processing/fermentations/{f}/turns/", WRITE_CENTERS),
    ("/processing/fermentations/{f}/finish/", WRITE_CENTERS),
    ("/processing/dryings/new/", WRITE_CENTERS),
    ("/processing/dryings/{d}/", READ_CENTERS),
    ("/processing/dryings/{d}/readings/", WRITE_CENTERS),
    ("/processing/dryings/{d}/finish/", WRITE_CENTERS),
]


@pytest.fixture
def steps(erp_a):
    return {"f": make(erp_a, fermenting).pk, "d": make(erp_a, drying).pk}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_the_api_does(erp_a, steps, role):
    client = page_client(erp_a, role)
    for path, expected in PAGES:
        url = path.format(**steps)
        assert client.get(url).status_code == expected[role], url


def test_a_supplier_opens_the_steps_of_its_own_lots(erp_a):
    run = make(erp_a, drying, owner="supplier")
    page = page_client(erp_a, "supplier").get(f"/processing/dryings/{run.pk}/")
    assert page.status_code == 200 and "Añadir una lectura" not in page.content.decode()


def test_the_drying_page_draws_the_moisture_chart_of_its_readings(erp_a):
    run = make(erp_a, drying)  # readings 45 % and 20 %
    html = page_client(erp_a, "center").get(f"/processing/dryings/{run.pk}/").content.decode()
    chart = html[html.index("<svg") : html.index("</svg>")]
    assert chart.count('class="chart-dot"') == 2 and "chart-line" in chart
    assert "45,00 %" in chart and "20,00 %" in chart


def test_a_center_starts_and_finishes_through_the_forms_and_the_lot_page_shows_the_factor(erp_a):
    lot = make(erp_a, wet_lot)
    client = page_client(erp_a, "center")
    started = client.post("/processing/fermentations/new/", {"lot": lot.pk, "box": "Cajón 9"})
    assert started.status_code == 302
    with tenant_context(erp_a.company):
        batch = FermentationBatch.objects.get(lot=lot)
    connection.set_schema_to_public()
    when = ago(hours=1).strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post(f"/processing/fermentations/{batch.pk}/finish/", {"weight_out_kg": "900"}).status_code
        == 302
    )
    run = client.post("/processing/dryings/new/", {"lot": lot.pk, "method": "sun"})
    assert run.status_code == 302
    run_url = run["Location"]
    bad = client.post(f"{run_url}finish/", {"weight_out_kg": "901", "moisture_percent": "7"})
    assert bad.status_code == 400 and "no puede superar el de entrada" in bad.content.decode()
    assert client.post(f"{run_url}readings/", {"at": when, "moisture_percent": "150"}).status_code == 400
    assert (
        client.post(f"{run_url}finish/", {"weight_out_kg": "360", "moisture_percent": "6,9"}).status_code
        == 302
    )
    page = client.get(f"/lots/{lot.pk}/").content.decode()
    # The measured factor 360 / 1000 and the drying's yield 360 / 900.
    assert "Fermentación y secado" in page and "36,00 %" in page and "40,00 %" in page


def test_another_companys_run_is_not_found(erp_a, erp_b):
    run = make(erp_a, drying)
    assert page_client(erp_b, "admin").get(f"/processing/dryings/{run.pk}/").status_code == 404


def test_without_the_processing_module_the_pages_and_the_lot_section_are_gone(erp_a):
    run = make(erp_a, drying)
    license = erp_a.company.licenses.get()
    license.modules = [m for m in Module.values if m != Module.PROCESSING]
    license.save()
    client = page_client(erp_a, "admin")
    assert client.get("/processing/").status_code == 403
    lot_page = client.get(f"/lots/{run.lot_id}/")
    assert lot_page.status_code == 200 and "Fermentación y secado" not in lot_page.content.decode()


def test_the_admin_lists_the_steps_read_only_without_a_query_per_row(erp_a, django_assert_max_num_queries):
    for owner in ("center", "supplier", "supplier2"):
        make(erp_a, drying, owner=owner)
    client = page_client(erp_a, "admin")
    client.get("/admin/processing/dryingrun/")  # sessions, permissions and the route are read once
    with django_assert_max_num_queries(12):
        runs = client.get("/admin/processing/dryingrun/")
    assert runs.status_code == 200 and runs.content.decode().count('class="field-method"') == 3
    assert client.get("/admin/processing/fermentationbatch/").status_code == 200
    assert client.get("/admin/processing/dryingrun/add/").status_code == 403
