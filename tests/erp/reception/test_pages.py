"""The reception pages: who may open each one, what a center, a supplier and another company
see, the form (a center's center fixed, from an IoT reading), the void page, the receipt,
the lot page's section, the license module."""

from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from erp.reception.models import Reception
from master.licensing.models import Module
from tests.erp.web.conftest import page_client

from .helpers import make, other_center, pdf_text

ROLES = ["admin", "exporter", "center", "supplier"]


def only(*roles):
    return {role: 200 if role in roles else 403 for role in ROLES}


PAGES = [
    ("/receptions/", only(*ROLES)),
    ("/receptions/new/", only("admin", "exporter", "center")),
    ("/receptions/{reception}/", only(*ROLES)),
    ("/receptions/{reception}/receipt/", only(*ROLES)),
    ("/receptions/{reception}/void/", only("admin", "exporter")),
]


@pytest.fixture
def reception_a(erp_a):
    with tenant_context(erp_a.company):
        reception = make(erp_a)
    connection.set_schema_to_public()
    return reception


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_its_api_action(erp_a, reception_a, role):
    client = page_client(erp_a, role)
    for path, expected in PAGES:
        response = client.get(path.format(reception=reception_a.pk))
        assert response.status_code == expected[role], (path, role)


def test_pages_of_another_supplier_center_or_company_are_404(erp_a, erp_b, reception_a):
    with tenant_context(erp_a.company):
        other_supplier = make(erp_a, supplier="supplier2")
        elsewhere = make(erp_a, center=other_center(erp_a))
    connection.set_schema_to_public()
    supplier = page_client(erp_a, "supplier")
    assert supplier.get(f"/receptions/{other_supplier.pk}/").status_code == 404
    assert supplier.get(f"/receptions/{other_supplier.pk}/receipt/").status_code == 404
    listed = supplier.get("/receptions/").content.decode()
    assert reception_a.number in listed and other_supplier.number not in listed
    center = page_client(erp_a, "center")
    assert center.get(f"/receptions/{elsewhere.pk}/").status_code == 404
    assert elsewhere.number not in center.get("/receptions/").content.decode()
    assert page_client(erp_b, "admin").get(f"/receptions/{reception_a.pk}/").status_code == 404
    assert page_client(erp_a, None).get("/receptions/").status_code == 302


def test_the_detail_page_shows_the_discounts_and_the_formula(erp_a, reception_a):
    page = page_client(erp_a, "admin").get(f"/receptions/{reception_a.pk}/").content.decode()
    page = page.replace("\xa0", " ")
    for text in (
        "1 030,00 kg",
        "22,71 qq",
        "− 16,61 kg",
        "− 10,14 kg",
        "1 003,25 kg",
        "USD 2 875,32",
        "(100 − humedad)",
    ):
        assert text in page, text


def test_a_center_saves_a_reception_at_its_own_center_from_the_form(erp_a):
    client = page_client(erp_a, "center")
    form = client.get("/receptions/new/").content.decode()
    assert 'name="center"' in form and "disabled" in form.split('name="center"')[1].split(">")[0]
    data = {
        "center": "",  # disabled: its own center, whatever is sent
        "supplier": erp_a.partners["supplier"].pk,
        "form": "seco",
        "variety": "nacional",
        "gross_weight_kg": "1050",
        "tare_weight_kg": "20",
        "sacks": "21",
        "moisture_percent": "8,5",
        "impurities_percent": "1",
        "price_mode": "fixed",
        "price_usd_per_qq": "130",
    }
    response = client.post("/receptions/new/", data, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302
    with tenant_context(erp_a.company):
        reception = Reception.objects.get()
        assert reception.center == erp_a.partners["center"] and reception.paid_weight_kg == Decimal("1003.25")
    bad = client.post("/receptions/new/", {**data, "gross_weight_kg": "10"})
    assert bad.status_code == 400 and "tara debe ser menor" in bad.content.decode()


def test_a_reception_from_an_iot_reading_takes_its_weights(erp_a):
    from iot.services import readings_ingest
    from tests.iot.conftest import make_scale

    scale = make_scale(erp_a)
    with tenant_context(erp_a.company):
        report = readings_ingest(
            device=scale.device,
            items=[{"gross_kg": "812.4", "tare_kg": "12.4", "moisture": "7.0"}],
            origin="rest",
        )
        reading_id = report.reading_ids[0]
    connection.set_schema_to_public()
    client = page_client(erp_a, "center")
    assert f'value="{reading_id}"' in client.get("/receptions/new/").content.decode()
    data = {
        "supplier": erp_a.partners["supplier2"].pk,
        "form": "seco",
        "variety": "ccn51",
        "reading": reading_id,
        "impurities_percent": "0",
        "price_mode": "fixed",
        "price_usd_per_qq": "120",
    }
    assert client.post("/receptions/new/", data).status_code == 302
    with tenant_context(erp_a.company):
        reception = Reception.objects.get()
        assert (reception.gross_weight_kg, reception.tare_weight_kg, reception.net_weight_kg) == (
            Decimal("812.40"),
            Decimal("12.40"),
            Decimal("800.00"),
        )
        assert reception.moisture_percent == Decimal("7.00") and reception.paid_weight_kg == Decimal("800.00")
    assert f'value="{reading_id}"' not in client.get("/receptions/new/").content.decode()  # used once
    again = client.post("/receptions/new/", data)
    assert again.status_code == 400


def test_the_void_page_voids_with_a_reason(erp_a, reception_a):
    client = page_client(erp_a, "exporter")
    assert client.post(f"/receptions/{reception_a.pk}/void/", {"reason": ""}).status_code == 400
    assert (
        client.post(f"/receptions/{reception_a.pk}/void/", {"reason": "Error de pesada"}).status_code == 302
    )
    with tenant_context(erp_a.company):
        reception_a.refresh_from_db()
        assert reception_a.is_voided and reception_a.void_reason == "Error de pesada"


def test_the_receipt_download_is_the_pdf(erp_a, reception_a):
    response = page_client(erp_a, "supplier").get(f"/receptions/{reception_a.pk}/receipt/")
    assert response["Content-Type"] == "application/pdf" and reception_a.number in pdf_text(response.content)


def test_the_lot_page_lists_the_receptions_that_fed_it(erp_a, reception_a):
    page = page_client(erp_a, "center").get(f"/lots/{reception_a.lot_id}/").content.decode()
    assert reception_a.number in page and f"/receptions/{reception_a.pk}/" in page


def test_without_the_reception_module_the_pages_answer_403_and_the_lot_section_hides(erp_a, reception_a):
    license = erp_a.company.licenses.get()
    license.modules = [m for m in Module.values if m != Module.RECEPTION]
    license.save()
    client = page_client(erp_a, "admin")
    assert client.get("/receptions/").status_code == 403
    lot_page = client.get(f"/lots/{reception_a.lot_id}/")
    assert lot_page.status_code == 200 and f"/receptions/{reception_a.pk}/" not in lot_page.content.decode()
