from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from erp.contracts.services import contract_assign_lot
from erp.lots.services import lot_create, lot_update
from erp.market.services import fob_price_create


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
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/dashboard/")
    with tenant_context(erp_a.company):
        for _ in range(5):
            lot = lot_create(user=erp_a.users["admin"], owner=erp_a.partners["center"], weight_kg=500)
            lot_update(lot=lot, user=erp_a.users["admin"], status="dispatched")
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/dashboard/")
    assert len(_data_queries(many)) == len(_data_queries(few)) <= 15  # one aggregate per figure


def _data_queries(captured) -> list[str]:
    """Without SET search_path, which follows from the test switching schemas in between."""
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SET search_path")]


def test_the_series_behind_the_charts(erp_a):
    with tenant_context(erp_a.company):
        contract_assign_lot(
            contract=erp_a.contracts["center"], lot=erp_a.lots["center"], user=erp_a.users["admin"]
        )
        lot_update(lot=erp_a.lots["center"], user=erp_a.users["admin"], status="dispatched")
        lot_update(lot=erp_a.lots["supplier"], user=erp_a.users["admin"], status="stored")
        for month, price in ((9, "6400"), (10, "6480.15")):
            fob_price_create(year=2026, month=month, usd_per_tm=Decimal(price), source="BCE")
    data = erp_a.client("admin").get("/api/v1/dashboard/").json()
    months = data["monthly_deliveries"]
    assert len(months) == 12 and months[-1] == {
        "month": timezone.localdate().strftime("%Y-%m"),
        "weight_qq": "100.00",
    }
    assert all(row["weight_qq"] == "0.00" for row in months[:-1])
    assert data["contract_progress"] == [
        {"id": erp_a.contracts["center"].pk, "code": erp_a.contracts["center"].code,
         "contracted_tm": "10.000", "delivered_tm": "4.536"},
    ]  # fmt: skip
    assert data["humidity_distribution"] == [{"from_percent": 9, "lots": 1}]  # 9 %: the stored lot
    assert [row["usd_per_tm"] for row in data["fob_trend"]] == ["6400.00", "6480.15"]
    supplier = erp_a.client("supplier").get("/api/v1/dashboard/").json()
    assert supplier["contract_progress"] == [] and supplier["humidity_distribution"] == [
        {"from_percent": 9, "lots": 1}
    ]
    assert all(row["weight_qq"] == "0.00" for row in supplier["monthly_deliveries"])
