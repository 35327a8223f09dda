"""The checklist of a shipment: what is done and what is missing, and the tonnage warning."""

from django_tenants.utils import tenant_context

from erp.quality.services import analysis_create
from tests.erp.quality.helpers import COUNTS_100

from .helpers import BASE, D, in_company, loaded_shipment, sale, shipment, upload

KEYS = [
    "booking",
    "vessel",
    "containers",
    "lots_loaded",
    "quantity",
    "bill_of_lading",
    "phytosanitary",
    "origin",
    "price",
    "quality",
]


def checklist(world, sent, **headers):
    response = world.client("exporter").get(f"{BASE}/shipments/{sent.pk}/checklist/", **headers)
    assert response.status_code == 200, response.content
    return {item["key"]: item for item in response.json()}


def test_a_new_shipment_has_everything_to_do_but_its_price(erp_a):
    bare = in_company(erp_a, lambda world: shipment(world, booking_number="", vessel="", voyage=""))
    items = checklist(erp_a, bare, HTTP_ACCEPT_LANGUAGE="en")
    assert list(items) == KEYS
    assert {key for key, item in items.items() if item["done"]} == {"quantity", "price"}
    assert [key for key, item in items.items() if item["warning"]] == ["quantity"]
    assert items["containers"]["detail"] == "No container yet."
    assert items["price"]["detail"] == "6,250.00 USD/TM"
    assert items["booking"]["label"] == "Booking number"


def test_a_shipment_ready_to_sail_has_every_item_done(erp_a):
    def ready(world):
        sent = loaded_shipment(world)
        sent.bill_of_lading = "MEDU1234567"
        sent.save(update_fields=["bill_of_lading"])
        for kind, number in (("bill_of_lading", "MEDU1234567"), ("phytosanitary", "F-1"), ("origin", "CO-1")):
            upload(world, sent, kind, number)
        return sent

    sent = in_company(erp_a, ready)
    items = checklist(erp_a, sent, HTTP_ACCEPT_LANGUAGE="en")
    missing = {key for key, item in items.items() if not item["done"]}
    assert missing == {"quality"}
    center, supplier = erp_a.lots["center"].code, erp_a.lots["supplier"].code
    assert items["quality"]["detail"] == f"Without an analysis: {center}, {supplier}."
    assert items["lots_loaded"]["detail"] == "5,335.94 kg (117.64 qq, 5.336 TM)"
    with tenant_context(erp_a.company):
        for name in ("center", "supplier"):
            analysis_create(
                lot=erp_a.lots[name],
                user=erp_a.users["admin"],
                sample_size=100,
                moisture_percent=D("6.80"),
                bean_count_per_100g=72,
                **COUNTS_100,
            )
    assert all(item["done"] for item in checklist(erp_a, sent).values())


def test_the_tonnage_past_the_quantity_sold_and_an_unfixed_price_are_flagged(erp_a):
    def small_unfixed_sale(world):
        contract = sale(
            world, quantity_tm=D("5"), price_type="differential", differential_usd_per_tm=D("200")
        )
        return loaded_shipment(world, contract)

    sent = in_company(erp_a, small_unfixed_sale)
    items = checklist(erp_a, sent, HTTP_ACCEPT_LANGUAGE="en")
    assert not items["quantity"]["done"] and items["quantity"]["warning"]
    assert "5.336 TM of 5.000 TM sold" in items["quantity"]["detail"]
    assert not items["price"]["done"] and sent.sales_contract.code in items["price"]["detail"]
