"""The reception API: a reception's figures, its lot and timeline, an open lot, stock in,
prices, readings, voiding, the receipt, scoping, isolation, the license module, bad input."""

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from erp.lots.models import Lot, LotEvent, LotEventAction
from erp.reception.models import Reception, ReceptionSettings
from master.licensing.models import Module

from .helpers import body, make, other_center, pdf_text

URL = "/api/v1/receptions/"


def post(world, role="admin", **changes):
    """POST a reception; a change to None leaves that field out."""
    data = {key: value for key, value in body(world, **changes).items() if value is not None}
    return world.client(role).post(URL, data, format="json")


def test_a_reception_computes_its_figures_and_starts_a_lot_at_the_scale(erp_a):
    response = post(erp_a, "center", center=None)  # a center user need not name its center
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["number"].startswith("REC-") and data["number"].endswith("-00001")
    assert data["net_weight_kg"] == "1030.00" and data["net_weight_qq"] == "22.71"
    assert data["moisture_discount_kg"] == "16.61" and data["impurities_discount_kg"] == "10.14"
    assert data["paid_weight_kg"] == "1003.25" and data["amount_usd"] == "2875.32"
    assert data["center"] == erp_a.partners["center"].pk
    with tenant_context(erp_a.company):
        lot = Lot.objects.get(pk=data["lot"])
        assert (lot.owner, lot.weight_kg, lot.humidity_percent) == (
            erp_a.partners["center"],
            Decimal("1030.00"),
            Decimal("8.50"),
        )
        assert (lot.form, lot.variety, lot.status) == ("seco", "nacional", "received")
        events = list(LotEvent.objects.filter(lot=lot).order_by("at", "id"))
        # created, received at the scale, then the stock movement in (erp.inventory)
        assert [e.action for e in events] == [
            LotEventAction.CREATED,
            LotEventAction.RECEIVED,
            LotEventAction.MOVED,
        ]
        assert events[1].source == data["number"] and events[1].changes["paid_weight_kg"] == "1003.25"


def test_adding_to_an_open_lot_adds_the_net_weight_and_mixes_the_moisture(erp_a):
    first = post(erp_a).json()
    second = post(erp_a, lot=first["lot"], gross_weight_kg="520", tare_weight_kg="10", moisture_percent="7")
    assert second.status_code == 201, second.json()
    assert second.json()["lot"] == first["lot"]
    with tenant_context(erp_a.company):
        lot = Lot.objects.get(pk=first["lot"])
        assert lot.weight_kg == Decimal("1540.00")
        assert lot.humidity_percent == Decimal("8.00")  # (1030 × 8.5 + 510 × 7) / 1540 = 8.0032…
        received = LotEvent.objects.filter(lot=lot, action=LotEventAction.RECEIVED).count()
        assert received == 2


def test_only_an_open_lot_of_the_same_center_form_and_variety_takes_a_reception(erp_a):
    first = post(erp_a).json()
    assert post(erp_a, lot=first["lot"], variety="ccn51").json().keys() >= {"lot"}
    stored = post(erp_a, lot=erp_a.lots["center"].pk)  # the center's lot is stored, not open
    assert stored.status_code == 400 and "lot" in stored.json()
    hidden = post(erp_a, "center", lot=erp_a.lots["supplier"].pk)  # a lot the center may not see
    assert hidden.status_code == 400 and "lot" in hidden.json()


def test_the_stock_comes_in_at_the_center(erp_a):
    """stock_receive(reference=number) is erp.inventory's; its movement names the reception."""
    from erp.inventory.models import StockBalance, StockMovement

    data = post(erp_a).json()
    with tenant_context(erp_a.company):
        movement = StockMovement.objects.get(reference=data["number"])
        assert (movement.lot_id, movement.kind, movement.kg) == (data["lot"], "in", Decimal("1030.00"))
        assert movement.to_warehouse.center_id == erp_a.partners["center"].pk
    connection.set_schema_to_public()
    erp_a.client("admin").post(f"{URL}{data['id']}/void/", {"reason": "x" * 500}, format="json")
    with tenant_context(erp_a.company):
        assert StockBalance.objects.get(lot_id=data["lot"]).kg == Decimal("0.00")  # its lot was rejected


def test_spot_and_contract_prices(erp_a):
    spot = post(
        erp_a, price_mode="spot", price_usd_per_qq=None, spot_usd_per_tm="6000", differential_usd_per_tm="250"
    )
    assert spot.status_code == 201, spot.json()
    assert spot.json()["price_usd_per_qq"] == "260.82"  # (6000 − 250) / 22.0462 = 260.8159…
    no_contract = post(erp_a, price_mode="contract", price_usd_per_qq=None)
    assert no_contract.status_code == 400 and "price_mode" in no_contract.json()
    with tenant_context(erp_a.company):
        from erp.contracts.services import contract_transition

        contract_transition(contract=erp_a.contracts["supplier"], to_status="active")  # differential 250
    connection.set_schema_to_public()
    needs_spot = post(erp_a, price_mode="contract", price_usd_per_qq=None)
    assert needs_spot.status_code == 400 and "spot_usd_per_tm" in needs_spot.json()
    by_contract = post(erp_a, price_mode="contract", price_usd_per_qq=None, spot_usd_per_tm="5250")
    assert by_contract.status_code == 201
    assert by_contract.json()["price_usd_per_qq"] == "226.80"  # (5250 − 250) / 22.0462 = 226.7965…
    assert by_contract.json()["contract"] == erp_a.contracts["supplier"].pk


def test_the_company_standard_moisture_applies(erp_a):
    with tenant_context(erp_a.company):
        ReceptionSettings.objects.create(standard_moisture_percent=Decimal("8.5"))
    connection.set_schema_to_public()
    data = post(erp_a).json()
    assert data["moisture_discount_kg"] == "0.00" and data["paid_weight_kg"] == "1019.70"  # 1030 × 0.99


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"gross_weight_kg": "0"}, "gross_weight_kg"),
        ({"gross_weight_kg": None}, "gross_weight_kg"),
        ({"tare_weight_kg": "1050"}, "tare_weight_kg"),
        ({"net_weight_kg": "1000"}, "net_weight_kg"),  # 1050 − 20 is 1030
        ({"moisture_percent": "101"}, "moisture_percent"),
        ({"moisture_percent": None}, "moisture_percent"),
        ({"impurities_percent": "-1"}, "impurities_percent"),
        ({"price_usd_per_qq": None}, "price_usd_per_qq"),
        ({"price_mode": "barter"}, "price_mode"),
        ({"form": "tostado"}, "form"),
        ({"supplier": "center"}, "supplier"),
        ({"gross_weight_kg": "mucho"}, "gross_weight_kg"),
        ({"received_at": "2099-01-01T08:00:00-05:00"}, "received_at"),
    ],
)
def test_bad_input_answers_400_naming_the_field(erp_a, changes, field):
    if changes.get("supplier") == "center":
        changes = {"supplier": erp_a.partners["center"].pk}
    response = post(erp_a, **changes)
    assert response.status_code == 400 and field in response.json(), response.json()


def test_a_center_receives_only_at_its_own_center(erp_a):
    with tenant_context(erp_a.company):
        north = other_center(erp_a)
    connection.set_schema_to_public()
    refused = post(erp_a, "center", center=north.pk)
    assert refused.status_code == 400 and "center" in refused.json()
    assert post(erp_a, "exporter", center=north.pk).status_code == 201
    assert post(erp_a, "supplier").status_code == 403


def test_scoping_of_lists_details_and_receipts(erp_a):
    with tenant_context(erp_a.company):
        own = make(erp_a)
        other_supplier = make(erp_a, supplier="supplier2")
        elsewhere = make(erp_a, center=other_center(erp_a))
    connection.set_schema_to_public()

    def numbers(role):
        return {row["number"] for row in erp_a.client(role).get(URL).json()["results"]}

    assert numbers("admin") == numbers("exporter") == {own.number, other_supplier.number, elsewhere.number}
    assert numbers("center") == {own.number, other_supplier.number}
    assert numbers("supplier") == {own.number, elsewhere.number}
    supplier = erp_a.client("supplier")
    assert supplier.get(f"{URL}{other_supplier.pk}/").status_code == 404
    assert supplier.get(f"{URL}{other_supplier.pk}/receipt/").status_code == 404
    assert erp_a.client("center").get(f"{URL}{elsewhere.pk}/").status_code == 404
    filtered = erp_a.client("admin").get(URL, {"supplier": erp_a.partners["supplier2"].pk}).json()["results"]
    assert [row["number"] for row in filtered] == [other_supplier.number]
    assert erp_a.client("admin").get(URL, {"variety": "ccn51"}).json()["results"] == []
    today = timezone.localdate(own.received_at).isoformat()
    assert len(erp_a.client("admin").get(URL, {"received_from": today}).json()["results"]) == 3
    assert erp_a.client("admin").get(URL, {"received_to": "2020-01-01"}).json()["results"] == []


def test_another_company_cannot_see_or_touch_a_reception(erp_a, erp_b):
    with tenant_context(erp_a.company):
        reception = make(erp_a)
    connection.set_schema_to_public()
    assert erp_b.client("admin").get(f"{URL}{reception.pk}/").status_code == 404
    stranger = erp_a.client("admin")
    stranger.defaults["HTTP_HOST"] = erp_b.host  # A's token on B's site
    assert stranger.get(f"{URL}{reception.pk}/").status_code == 401
    assert (
        erp_b.client("admin").post(f"{URL}{reception.pk}/void/", {"reason": "x"}, format="json").status_code
        == 404
    )


def test_voiding_takes_the_weight_off_the_lot_and_keeps_the_row(erp_a):
    first = post(erp_a).json()
    post(erp_a, lot=first["lot"], gross_weight_kg="520", tare_weight_kg="10", moisture_percent="7")
    client = erp_a.client("admin")
    assert client.post(f"{URL}{first['id']}/void/", {}, format="json").json().keys() >= {"reason"}
    voided = client.post(f"{URL}{first['id']}/void/", {"reason": "Pesada repetida"}, format="json")
    assert (
        voided.status_code == 200
        and voided.json()["is_voided"]
        and voided.json()["void_reason"] == "Pesada repetida"
    )
    again = client.post(f"{URL}{first['id']}/void/", {"reason": "otra vez"}, format="json")
    assert again.status_code == 400 and "reception" in again.json()
    with tenant_context(erp_a.company):
        assert Lot.objects.get(pk=first["lot"]).weight_kg == Decimal("510.00")
        assert Reception.objects.filter(pk=first["id"]).exists()


def test_the_receipt_pdf_shows_the_weights_discounts_and_amount(erp_a):
    data = post(erp_a).json()
    response = erp_a.client("supplier").get(f"{URL}{data['id']}/receipt/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content).replace("\xa0", " ")
    for expected in (
        data["number"],
        "Comprobante de recepción",
        "A Finca Uno",
        "A Centro de Acopio",
        "Peso bruto 1 050,00 kg",
        "Tara 20,00 kg",
        "Peso neto 1 030,00 kg (22,71 qq)",
        "Humedad 8,50 % (estándar 7,00 %): descuento 16,61 kg",
        "Impurezas 1,00 %: descuento 10,14 kg",
        "Peso pagado 1 003,25 kg (22,12 qq)",
        "130,00 USD/qq",
        "Monto a pagar 2 875,32 USD",
        "(100 − humedad)",
    ):
        assert expected in text, (expected, text)
    with tenant_context(erp_a.company):
        erp_a.users["supplier"].language = "en"
        erp_a.users["supplier"].save(update_fields=["language"])
    connection.set_schema_to_public()
    english = pdf_text(erp_a.client("supplier").get(f"{URL}{data['id']}/receipt/").content)
    assert "Net weight" in english and "1,030.00 kg" in english and "2,875.32 USD" in english


def test_the_paid_weight_preview(erp_a):
    response = erp_a.client("center").post(
        f"{URL}paid-weight/",
        {"net_weight_kg": "1000", "moisture_percent": "10", "price_usd_per_qq": "100"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["paid_weight_kg"] == "967.74" and response.json()["amount_usd"] == "2133.50"
    bad = erp_a.client("center").post(
        f"{URL}paid-weight/", {"net_weight_kg": "0", "moisture_percent": "7"}, format="json"
    )
    assert bad.status_code == 400 and "net_weight_kg" in bad.json()


def test_without_the_reception_module_the_api_answers_403(erp_a):
    license = erp_a.company.licenses.get()
    license.modules = [m for m in Module.values if m != Module.RECEPTION]
    license.save()
    refused = erp_a.client("admin").get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403 and refused.json()["code"] == "module_not_licensed"
    assert "Reception" in refused.json()["detail"]


def test_a_reception_whose_lot_moved_on_is_not_voided_and_a_lone_one_rejects_its_lot(erp_a):
    from erp.lots.services import lot_update

    client = erp_a.client("exporter")
    moved, alone = post(erp_a).json(), post(erp_a, variety="ccn51").json()
    with tenant_context(erp_a.company):
        lot_update(lot=Lot.objects.get(pk=moved["lot"]), user=erp_a.users["admin"], status="drying")
    connection.set_schema_to_public()
    refused = client.post(f"{URL}{moved['id']}/void/", {"reason": "tarde"}, format="json")
    assert refused.status_code == 400 and "reception" in refused.json()
    assert (
        client.post(
            f"{URL}{alone['id']}/void/", {"reason": "Proveedor equivocado"}, format="json"
        ).status_code
        == 200
    )
    with tenant_context(erp_a.company):
        lot = Lot.objects.get(pk=alone["lot"])
        assert lot.status == "rejected"
        assert LotEvent.objects.filter(lot=lot, changes__reception_voided=alone["number"]).exists()
