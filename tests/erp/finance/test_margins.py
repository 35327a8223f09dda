"""Margins grouped by sales contract, month and supplier, and shipments not priced yet
listed apart rather than counted as zero."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from erp.export import services as export
from erp.finance.costing import money
from erp.finance.selectors import margins_by
from tests.erp.export.helpers import sale

from .helpers import BASE, D, blend, cost, receive, shipment_with, unpriced_sale


def test_margin_by_supplier_shares_a_blend_by_the_net_kg_each_supplier_delivered(erp_a):
    with tenant_context(erp_a.company):
        merged, _first, _second = blend(erp_a)  # 1,000 kg of Finca Uno, 500 of Finca Dos
        sent = shipment_with(erp_a, [(merged, "1500")])
        cost(erp_a, amount="300", kind="export", shipment=sent)
        rows = {row.label: row for row in margins_by(user=erp_a.users["admin"], by="supplier").rows}
    uno, dos = rows["A Finca Uno"], rows["A Finca Dos"]
    assert (uno.kg, money(uno.revenue_usd), money(uno.cost_usd)) == (D("1000"), D("6250.00"), D("2866.67"))
    assert (dos.kg, money(dos.revenue_usd), money(dos.cost_usd)) == (D("500"), D("3125.00"), D("1433.33"))
    assert money(uno.margin_usd) == D("3383.33") and uno.margin_percent == D("54.13")


def test_margin_by_contract_adds_up_its_shipments_and_lists_the_unpriced_apart(erp_a):
    with tenant_context(erp_a.company):
        first = receive(erp_a, kg="1000", amount="2600")
        second = receive(erp_a, kg="1000", amount="2000")
        third = receive(erp_a, kg="1000", amount="2500")
        contract = sale(erp_a)
        shipment_with(erp_a, [(first.lot, "400")], sales_contract=contract)  # 2,500 − 1,040
        shipment_with(
            erp_a, [(second.lot, "600")], sales_contract=contract, number="RAIU6900114"
        )  # 3,750 − 1,200
        waiting = shipment_with(
            erp_a, [(third.lot, "1000")], sales_contract=unpriced_sale(erp_a), number="TGHU1234567"
        )
        with CaptureQueriesContext(connection) as queries:
            report = margins_by(user=erp_a.users["admin"], by="contract")
    assert len(queries) == 7  # shipments, loads, the walk, lots, receptions, lot costs, own costs
    (row,) = report.rows
    assert (row.label, row.shipments, row.kg) == (contract.code, 2, D("1000"))
    assert (row.revenue_usd, row.cost_usd, row.margin_usd) == (D("6250.00"), D("2240"), D("4010.00"))
    assert row.margin_percent == D("64.16")
    assert [margin.shipment.pk for margin in report.not_priced] == [waiting.pk]


def test_margin_by_month_goes_by_the_departure(erp_a):
    with tenant_context(erp_a.company):
        reception = receive(erp_a, kg="1000", amount="2600")
        march = shipment_with(erp_a, [(reception.lot, "400")])
        april = shipment_with(erp_a, [(reception.lot, "400")], number="RAIU6900114")
        export.shipment_update(shipment=april, user=erp_a.users["admin"], etd=date(2026, 4, 30))
        rows = margins_by(user=erp_a.users["admin"], by="month").rows
    assert [(row.key, row.shipments, row.revenue_usd) for row in rows] == [
        (date(2026, 3, 1), 1, D("2500.00")),
        (date(2026, 4, 1), 1, D("2500.00")),
    ]
    assert march.etd == date(2026, 3, 5)


def test_the_margins_endpoint_shows_the_unpriced_with_no_revenue(erp_a):
    with tenant_context(erp_a.company):
        reception = receive(erp_a, kg="1000", amount="2600")
        waiting = shipment_with(erp_a, [(reception.lot, "1000")], sales_contract=unpriced_sale(erp_a))
    client = erp_a.client("exporter")
    body = client.get(f"{BASE}/margins/", {"by": "shipment"}).json()
    assert body["rows"] == []
    assert body["not_priced"] == [
        {
            "shipment": waiting.pk,
            "code": waiting.code,
            "sales_contract": waiting.sales_contract.code,
            "revenue_usd": None,
            "cost_usd": "2600.00",
        }
    ]
    margin = client.get(f"{BASE}/shipments/{waiting.pk}/margin/").json()
    assert (margin["priced"], margin["revenue_usd"], margin["margin_usd"]) == (False, None, None)
    refused = client.get(f"{BASE}/margins/", {"by": "planet"})
    assert refused.status_code == 400 and "by" in refused.json()
