"""Sales contracts through the API: the parties' kinds, the price its type needs, the purchase
contracts behind a sale, the status workflow and the fixing of a differential price."""

from datetime import date

from django.utils import timezone
from django_tenants.utils import tenant_context

from erp.contracts.services import contract_transition

from .helpers import BASE, D, in_company, sale, shipment

URL = f"{BASE}/sales-contracts/"


def body(world, **changes) -> dict:
    return {
        "buyer": world.partners["buyer"].pk,
        "exporter": world.partners["exporter"].pk,
        "quantity_tm": "50",
        "price_type": "fixed",
        "price_usd_per_tm": "6250.00",
        "shipment_from": "2026-01-01",
        "shipment_to": "2026-12-31",
        **changes,
    }


def post(world, **changes):
    return world.client("exporter").post(URL, body(world, **changes), format="json")


def test_a_sale_is_created_in_draft_with_its_code_and_quantity_in_quintales(erp_a):
    created = post(erp_a, destination_country="de", purchase_contracts=[erp_a.contracts["center"].pk])
    assert created.status_code == 201, created.content
    data = created.json()
    year = timezone.localdate().year
    assert data["code"].startswith(f"SC-{year}-") and len(data["code"]) == len(f"SC-{year}-0001")
    assert data["status"] == "draft" and data["allowed_statuses"] == ["cancelled", "open"]
    assert data["quantity_qq"] == "1102.31"  # 50,000 kg / 45.359237
    assert data["sale_price_usd_per_tm"] == "6250.00" and data["destination_country"] == "DE"
    assert data["purchase_contracts"] == [erp_a.contracts["center"].pk]
    assert data["loaded_kg"] == "0.00" and data["buyer_name"] == "A Buyer GmbH"


def test_the_parties_and_the_price_its_type_needs_are_checked(erp_a):
    p = erp_a.partners
    assert post(erp_a, buyer=p["supplier"].pk).json().keys() >= {"buyer"}
    assert post(erp_a, exporter=p["buyer"].pk).json().keys() >= {"exporter"}
    assert post(erp_a, price_usd_per_tm=None).json().keys() >= {"price_usd_per_tm"}
    assert post(erp_a, price_type="differential").json().keys() >= {"differential_usd_per_tm"}
    assert post(erp_a, shipment_to="2025-12-31").json().keys() >= {"shipment_to"}
    assert post(erp_a, quantity_tm="abc").status_code == 400


def test_only_live_purchase_contracts_back_a_sale(erp_a):
    with tenant_context(erp_a.company):
        contract_transition(contract=erp_a.contracts["center"], to_status="cancelled")
    refused = post(erp_a, purchase_contracts=[erp_a.contracts["center"].pk])
    assert (
        refused.status_code == 400
        and erp_a.contracts["center"].code in refused.json()["purchase_contracts"][0]
    )
    assert post(erp_a, purchase_contracts=[999999]).json().keys() >= {"purchase_contracts"}
    linked = post(erp_a, purchase_contracts=[erp_a.contracts["supplier"].pk])  # a draft purchase is live
    assert linked.status_code == 201


def test_the_status_goes_draft_open_fulfilled_and_nowhere_else(erp_a):
    created = post(erp_a).json()
    client = erp_a.client("admin")

    def to(status):
        return client.post(f"{URL}{created['id']}/status/", {"status": status}, format="json")

    assert to("fulfilled").status_code == 400
    assert to("open").json()["allowed_statuses"] == ["cancelled", "fulfilled"]
    assert to("draft").status_code == 400
    fulfilled = to("fulfilled")
    assert fulfilled.status_code == 200 and fulfilled.json()["status"] == "fulfilled"
    assert to("cancelled").json().keys() >= {"status"}
    assert client.patch(f"{URL}{created['id']}/", {"notes": "x"}, format="json").status_code == 400


def test_a_sale_with_shipments_under_way_is_neither_cancelled_nor_fulfilled(erp_a):
    sent = in_company(erp_a, lambda world: shipment(world))
    client = erp_a.client("admin")
    url = f"{URL}{sent.sales_contract_id}/status/"
    assert client.post(url, {"status": "cancelled"}, format="json").status_code == 400
    assert client.post(url, {"status": "open"}, format="json").status_code == 200
    assert client.post(url, {"status": "fulfilled"}, format="json").status_code == 400


def test_a_differential_sale_is_fixed_at_the_futures_plus_the_differential(erp_a):
    created = post(erp_a, price_type="differential", differential_usd_per_tm="-125.50", price_usd_per_tm=None)
    data = created.json()
    assert data["sale_price_usd_per_tm"] is None and data["price_usd_per_tm"] is None
    url = f"{URL}{data['id']}/fix-price/"
    client = erp_a.client("exporter")
    fixed = client.post(url, {"futures_usd_per_tm": "6375.25", "fixed_on": "2026-03-02"}, format="json")
    assert fixed.status_code == 200, fixed.content
    assert fixed.json()["fixed_price_usd_per_tm"] == "6249.75"  # 6,375.25 − 125.50
    assert fixed.json()["fixed_on"] == "2026-03-02" and fixed.json()["sale_price_usd_per_tm"] == "6249.75"
    assert client.post(url, {"futures_usd_per_tm": "100"}, format="json").json().keys() >= {
        "futures_usd_per_tm"
    }
    tomorrow = timezone.localdate().toordinal() + 1
    future = date.fromordinal(tomorrow).isoformat()
    assert client.post(
        url, {"futures_usd_per_tm": "7000", "fixed_on": future}, format="json"
    ).json().keys() >= {"fixed_on"}
    fixed_sale = post(erp_a).json()
    refused = client.post(
        f"{URL}{fixed_sale['id']}/fix-price/", {"futures_usd_per_tm": "6000"}, format="json"
    )
    assert refused.status_code == 400 and "price_type" in refused.json()


def test_a_fixed_price_cannot_change_once_a_shipment_is_invoiced(erp_a):
    def invoiced(world):
        contract = sale(world, price_type="differential", differential_usd_per_tm=D("100"))
        sent = shipment(world, contract)
        sent.invoice_number = "FX-2026-00001"
        sent.save(update_fields=["invoice_number"])
        return contract

    contract = in_company(erp_a, invoiced)
    refused = erp_a.client("admin").post(
        f"{URL}{contract.pk}/fix-price/", {"futures_usd_per_tm": "6000"}, format="json"
    )
    assert refused.status_code == 400 and "FX-2026-00001" in refused.json()["futures_usd_per_tm"][0]


def test_only_a_draft_without_shipments_is_deleted(erp_a):
    draft = post(erp_a).json()
    client = erp_a.client("admin")
    assert client.delete(f"{URL}{draft['id']}/").status_code == 204
    assert client.get(f"{URL}{draft['id']}/").status_code == 404
    sent = in_company(erp_a, lambda world: shipment(world))
    assert client.delete(f"{URL}{sent.sales_contract_id}/").status_code == 400


def test_a_cancelled_or_fulfilled_sale_takes_no_shipment(erp_a):
    created = post(erp_a).json()
    client = erp_a.client("admin")
    client.post(f"{URL}{created['id']}/status/", {"status": "cancelled"}, format="json")
    refused = client.post(f"{BASE}/shipments/", {"sales_contract": created["id"]}, format="json")
    assert refused.status_code == 400 and created["code"] in refused.json()["sales_contract"][0]
