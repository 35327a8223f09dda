"""The commercial invoice, the packing list and the certificate of quality: opened as a
reader would, their figures checked by hand (helpers.py), in Spanish and in English."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from erp.export.models import Shipment
from erp.quality.services import analysis_create
from tests.erp.quality.helpers import COUNTS_100

from .helpers import BASE, D, in_company, loaded_shipment, pdf_text, sale

SHIPMENTS = f"{BASE}/shipments/"


@pytest.fixture
def loaded(erp_a):
    return in_company(erp_a, loaded_shipment)


def pdf(world, sent, document, role="admin", **params):
    response = world.client(role).get(f"{SHIPMENTS}{sent.pk}/{document}.pdf", params)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return pdf_text(response.content)


def test_the_invoice_prices_each_container_half_up_and_adds_up_the_lines(erp_a, loaded):
    text = pdf(erp_a, loaded, "invoice")
    with tenant_context(erp_a.company):
        number = Shipment.objects.get(pk=loaded.pk).invoice_number
    year = timezone.localdate().year
    assert number.startswith(f"FX-{year}-") and len(number) == len(f"FX-{year}-00001")
    for expected in (
        number,
        "A Exportadora (RUC 1793004504001)",
        "A Buyer GmbH",
        "FOB Guayaquil",
        loaded.sales_contract.code,
        "HS 1801.00",
        "CSQU3054383 4 000,00 4,000 6 250,00 25 000,00",
        "RAIU6900114 1 335,94 1,336 6 250,00 8 349,63",  # 1.33594 × 6,250 = 8,349.625
        "5 335,94 5,336 33 349,63",
    ):
        assert expected in text, (expected, text)
    again = pdf(erp_a, loaded, "invoice", lang="en")
    assert number in again and "Commercial invoice" in again
    assert "25,000.00" in again and "8,349.63" in again and "33,349.63" in again
    assert erp_a.client("admin").get(f"{SHIPMENTS}{loaded.pk}/").json()["invoice_number"] == number


def test_there_is_no_invoice_without_a_price_and_no_number_is_spent(erp_a):
    def unfixed(world):
        contract = sale(world, price_type="differential", differential_usd_per_tm=D("150"))
        return loaded_shipment(world, contract)

    sent = in_company(erp_a, unfixed)
    refused = erp_a.client("admin").get(f"{SHIPMENTS}{sent.pk}/invoice.pdf")
    assert refused.status_code == 409 and refused.json()["code"] == "no_price"
    assert sent.sales_contract.code in refused.json()["detail"]
    with tenant_context(erp_a.company):
        assert Shipment.objects.get(pk=sent.pk).invoice_number == ""
    erp_a.client("admin").post(
        f"{BASE}/sales-contracts/{sent.sales_contract_id}/fix-price/",
        {"futures_usd_per_tm": "6100"},
        format="json",
    )
    assert "6 250,00" in pdf(erp_a, sent, "invoice")  # 6,100 + 150


def test_the_packing_list_shows_each_container_its_lots_and_the_totals(erp_a, loaded):
    text = pdf(erp_a, loaded, "packing-list")
    center, supplier = erp_a.lots["center"].code, erp_a.lots["supplier"].code
    for expected in (
        loaded.code,
        "CSQU3054383 · sello EC-0001",
        f"{center} 4 000,00 88,18 58",
        f"{center} 535,92 11,82 8",
        f"{supplier} 800,02 17,64 12",
        "1 335,94 29,45 20",
        "5 335,94 kg · 117,64 qq · 5,336 TM",
        " 78",
    ):
        assert expected in text, (expected, text)
    english = pdf(erp_a, loaded, "packing-list", lang="en")
    assert "Packing list" in english and "5,335.94 kg · 117.64 qq · 5.336 TM" in english


def test_the_quality_certificate_shows_each_lots_latest_analysis(erp_a, loaded):
    with tenant_context(erp_a.company):
        user, lot = erp_a.users["admin"], erp_a.lots["center"]
        older = {**COUNTS_100, "well_fermented": 70, "slaty": 19}
        analysis_create(
            lot=lot,
            user=user,
            sample_size=100,
            moisture_percent=D("7.90"),
            bean_count_per_100g=88,
            analysed_at=timezone.now() - timedelta(days=3),
            **older,
        )
        analysis_create(
            lot=lot,
            user=user,
            sample_size=100,
            moisture_percent=D("6.80"),
            bean_count_per_100g=72,
            **COUNTS_100,
        )
    text = pdf(erp_a, loaded, "quality-certificate", lang="en")
    assert f"Lot {lot.code}" in text and "Grade ASSPS" in text and "Moisture 6.80 %" in text
    assert "Beans per 100 g 72" in text and "Cut test 100 beans" in text
    assert "Well fermented (brown) 86.00 %" in text and "Slaty (unfermented) 3.00 %" in text
    assert "7.90" not in text and "70.00" not in text
    assert f"Lot {erp_a.lots['supplier'].code}" in text and "No analysis recorded." in text


def test_a_user_who_reads_english_gets_the_documents_in_english(erp_a, loaded):
    with tenant_context(erp_a.company):
        erp_a.users["exporter"].language = "en"
        erp_a.users["exporter"].save(update_fields=["language"])
    text = pdf(erp_a, loaded, "packing-list", role="exporter")
    assert "Packing list" in text and "5,335.94" in text
    assert "5 335,94" in pdf(erp_a, loaded, "packing-list", role="exporter", lang="es")
