from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from erp.contracts.services import contract_assign_lot
from erp.lots.services import lot_update


def test_company_side_kpis_cover_the_whole_company(erp_a):
    with tenant_context(erp_a.company):
        contract_assign_lot(
            contract=erp_a.contracts["center"], lot=erp_a.lots["center"], user=erp_a.users["admin"]
        )
        lot_update(lot=erp_a.lots["center"], user=erp_a.users["admin"], status="dispatched")
    data = erp_a.client("exporter").get("/api/v1/dashboard/").json()
    assert data["role"] == "exporter"
    stock = {row["status"]: row for row in data["stock_by_status"]}
    assert set(stock) == {"received"}  # the center's lot left the stock when dispatched
    assert stock["received"]["lots"] == 2 and stock["received"]["weight_qq"] == "50.00"
    assert stock["received"]["average_humidity_percent"] == "9.00"
    assert data["contracts"] == {
        "active_contracts": 1,
        "contracted_tm": "10.000",
        "delivered_tm": "4.536",
        "pending_tm": "5.464",
    }
    assert data["deliveries_this_month"] == {"lots": 1, "weight_qq": "100.00", "weight_tm": "4.536"}


def test_a_supplier_sees_only_its_own_figures(erp_a):
    data = erp_a.client("supplier").get("/api/v1/dashboard/").json()
    assert [(row["status"], row["lots"], row["weight_qq"]) for row in data["stock_by_status"]] == [
        ("received", 1, "20.00")
    ]
    assert data["contracts"]["active_contracts"] == 0  # its contract is a draft


def test_the_dashboard_of_company_b_knows_nothing_of_company_a(erp_a, erp_b):
    with tenant_context(erp_a.company):
        lot_update(lot=erp_a.lots["supplier"], user=erp_a.users["admin"], weight_kg=Decimal("99999"))
    data = erp_b.client("admin").get("/api/v1/dashboard/").json()
    assert all(row["weight_qq"] != "2204.60" for row in data["stock_by_status"])
    assert sum(row["lots"] for row in data["stock_by_status"]) == 3


def test_the_dashboard_runs_a_fixed_number_of_queries(erp_a):
    client = erp_a.client("admin")
    client.get("/api/v1/dashboard/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/api/v1/dashboard/")
    assert len(captured) <= 10
