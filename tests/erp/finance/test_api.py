"""The finance API as its users meet it: costs refused with field messages, a lot's cost, a
supplier's own payables, the reports opened as files, and company B seeing nothing of A."""

import csv
import io

import openpyxl
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.erp.reception.helpers import pdf_text

from .helpers import BASE, blend, cost, receive, shipment_with, split_example

TODAY = str(timezone.localdate())


def test_a_cost_goes_on_one_lot_or_one_shipment_with_an_amount_above_zero(erp_a):
    with tenant_context(erp_a.company):
        sent = shipment_with(erp_a, [])
        merged, _part = split_example(erp_a)
        closed, _first, _second = blend(erp_a)
        closed.refresh_from_db()
    lot = erp_a.lots["center"].pk
    client = erp_a.client("admin")
    body = {"kind": "storage", "amount_usd": "40.00", "incurred_on": TODAY}
    for changes, field in (
        ({"lot": lot, "shipment": sent.pk}, "shipment"),
        ({}, "lot"),
        ({"lot": lot, "amount_usd": "-5"}, "amount_usd"),
        ({"lot": lot, "amount_usd": "twelve"}, "amount_usd"),
        ({"lot": lot, "kind": "bribes"}, "kind"),
        ({"lot": lot, "incurred_on": "2999-01-01"}, "incurred_on"),
    ):
        refused = client.post(f"{BASE}/costs/", {**body, **changes}, format="json")
        assert refused.status_code == 400 and field in refused.json(), (changes, refused.json())
    created = client.post(f"{BASE}/costs/", {**body, "lot": merged.pk}, format="json")
    assert created.status_code == 201 and created.json()["lot_code"] == merged.code
    assert client.get(f"{BASE}/costs/", {"lot": merged.pk}).json()["count"] == 2  # with the transport
    assert client.get(f"{BASE}/costs/", {"kind": "storage"}).json()["count"] == 1


def test_a_blend_source_closed_by_the_blend_takes_no_more_costs(erp_a):
    with tenant_context(erp_a.company):
        _merged, first, _second = blend(erp_a)
    body = {"kind": "storage", "amount_usd": "40.00", "incurred_on": TODAY, "lot": first.lot_id}
    refused = erp_a.client("admin").post(f"{BASE}/costs/", body, format="json")
    assert refused.status_code == 400 and "lot" in refused.json()  # a deleted lot is not choosable


def test_the_lot_cost_endpoint_shows_the_example_by_head(erp_a):
    with tenant_context(erp_a.company):
        _merged, part = split_example(erp_a)
    body = erp_a.client("exporter").get(f"{BASE}/lots/{part.pk}/cost/").json()
    assert body["total_usd"] == "1660.00"
    assert body["by_head"]["purchase"] == "1600.00" and body["by_head"]["transport"] == "60.00"
    assert body["unit_usd_per_kg"] == "2.7667" and body["unit_usd_per_tm"] == "2766.67"


def test_a_supplier_reads_its_own_payables_and_nothing_else(erp_a):
    with tenant_context(erp_a.company):
        own = receive(erp_a, kg="1000", amount="2600")
        other = receive(erp_a, kg="500", amount="1400", supplier="supplier2")
    supplier = erp_a.client("supplier")
    listed = supplier.get(f"{BASE}/payables/").json()["results"]
    assert [row["number"] for row in listed] == [own.number]
    assert listed[0]["pending_usd"] == "2600.00" and listed[0]["status"] == "pending"
    ageing = supplier.get(f"{BASE}/payables/", {"ageing": "1"}).json()
    assert [row["supplier_name"] for row in ageing["rows"]] == ["A Finca Uno"]
    assert ageing["total"]["days_0_30"] == "2600.00"
    assert supplier.get(f"{BASE}/supplier-payments/").status_code == 403
    admin = erp_a.client("admin").get(f"{BASE}/payables/", {"supplier": other.supplier_id}).json()
    assert [row["number"] for row in admin["results"]] == [other.number]


def test_the_reports_open_and_hold_the_totals(erp_a):
    with tenant_context(erp_a.company):
        merged, _first, _second = blend(erp_a)
        shipment_with(erp_a, [(merged, "1500")])  # 9,375.00 revenue, 4,000 cost
    client = erp_a.client("admin")
    response = client.get(f"{BASE}/reports/margin-by-supplier.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[1][0] == "A Finca Dos" and table[1][3:6] == ["3125.00", "1333.33", "1791.67"]
    assert table[2][0] == "A Finca Uno" and table[2][3:6] == ["6250.00", "2666.67", "3583.33"]
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(f"{BASE}/reports/margin-by-contract.xlsx").content)
    )
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[1][2:6] == (1, 1500, 9375, 4000)
    pdf = client.get(f"{BASE}/reports/margin-by-month.pdf", HTTP_ACCEPT_LANGUAGE="en")
    assert pdf.content.startswith(b"%PDF")
    assert "9,375.00" in pdf_text(pdf.content) and "5,375.00" in pdf_text(pdf.content)
    ageing = client.get(f"{BASE}/reports/payables-ageing.pdf", HTTP_ACCEPT_LANGUAGE="en")
    assert "4,000.00" in pdf_text(ageing.content)
    assert client.get(f"{BASE}/reports/margin-by-planet.csv").status_code == 404


def test_company_b_sees_nothing_of_company_a(erp_a, erp_b):
    with tenant_context(erp_a.company):
        reception = receive(erp_a, kg="1000", amount="2600")
        sent = shipment_with(erp_a, [(reception.lot, "800")])
        spent = cost(erp_a, amount="420", kind="export", shipment=sent)
    client = erp_b.client("admin")
    assert client.get(f"{BASE}/costs/{spent.pk}/").status_code == 404
    assert client.get(f"{BASE}/costs/").json()["count"] == 0
    assert client.get(f"{BASE}/payables/").json()["count"] == 0
    assert client.get(f"{BASE}/receivables/").json()["rows"] == []
    assert client.get(f"{BASE}/shipments/{sent.pk}/margin/").status_code == 404
    paying = client.post(
        f"{BASE}/supplier-payments/",
        {"reception": reception.pk, "amount_usd": "10", "paid_on": TODAY, "method": "cash"},
        format="json",
    )
    assert paying.status_code == 400 and "reception" in paying.json()
