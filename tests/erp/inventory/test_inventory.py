"""Stock in, across and out of warehouses; never below zero; lot splits and merges with a
genealogy read both ways; isolation between companies and partners."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_tenants.utils import tenant_context

from erp.inventory.blending import lot_merge, lot_split
from erp.inventory.models import MovementKind, StockBalance, StockMovement, Warehouse
from erp.inventory.services import stock_follow_lot, stock_receive, stock_transfer, warehouse_default_for
from erp.ledger.models import LedgerEntry
from erp.lots.models import Lot, LotLink
from erp.lots.services import lot_create, lot_update
from tests.erp.web.conftest import page_client

D = Decimal


@pytest.fixture
def stocked(erp_a):
    """The center's lot of 4,535.92 kg (100 qq) received into its default warehouse."""
    with tenant_context(erp_a.company):
        lot = erp_a.lots["center"]
        stock_receive(lot=lot, center=erp_a.partners["center"], kg=lot.weight_kg, user=erp_a.users["center"])
        erp_a.warehouse = warehouse_default_for(erp_a.partners["center"])
        erp_a.port = Warehouse.objects.create(name="Bodega Posorja", center=erp_a.partners["center"])
    return erp_a


def balance(lot, warehouse):
    return StockBalance.objects.get(lot=lot, warehouse=warehouse).kg


def test_a_reception_puts_stock_in_the_centers_default_warehouse(stocked):
    with tenant_context(stocked.company):
        lot = stocked.lots["center"]
        assert stocked.warehouse.name == stocked.partners["center"].name
        assert balance(lot, stocked.warehouse) == D("4535.92")
        assert lot.events.filter(action="moved").exists()
        assert LedgerEntry.objects.filter(lot_id=lot.pk, kind="moved").exists()


def test_stock_never_goes_negative_in_the_service_nor_the_database(stocked):
    with tenant_context(stocked.company):
        lot = stocked.lots["center"]
        with pytest.raises(ValidationError) as refused:
            stock_transfer(
                lot=lot,
                from_warehouse=stocked.warehouse,
                to_warehouse=stocked.port,
                kg=D("4535.93"),
                user=stocked.users["admin"],
            )
        assert "4535.92" in str(refused.value.message_dict["kg"])
        with pytest.raises(IntegrityError), transaction.atomic():
            StockBalance.objects.filter(lot=lot).update(kg=D("-1"))


def test_a_transfer_over_the_stock_answers_400_naming_the_field(stocked):
    response = stocked.client("center").post(
        "/api/v1/inventory/movements/",
        {
            "lot": stocked.lots["center"].pk,
            "kind": "transfer",
            "from_warehouse": stocked.warehouse.pk,
            "to_warehouse": stocked.port.pk,
            "kg": "5000",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "kg" in response.json()


def test_transfer_moves_the_kilograms_and_the_summary_adds_them_up(stocked):
    client = stocked.client("admin")
    response = client.post(
        "/api/v1/inventory/movements/",
        {
            "lot": stocked.lots["center"].pk,
            "kind": "transfer",
            "from_warehouse": stocked.warehouse.pk,
            "to_warehouse": stocked.port.pk,
            "kg": "1000.50",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    rows = {row["warehouse__name"]: row for row in client.get("/api/v1/inventory/stock/summary/").json()}
    assert rows["Bodega Posorja"]["kg"] == "1000.50"
    assert rows[stocked.warehouse.name]["kg"] == "3535.42"
    assert rows[stocked.warehouse.name]["qq"] == "77.94"  # 3535.42 / 45.359237


def test_the_stock_follows_a_lot_dried_lighter_and_leaves_when_rejected(stocked):
    with tenant_context(stocked.company):
        lot = stocked.lots["center"]
        lot_update(lot=lot, user=stocked.users["admin"], weight_kg=D("4000"))
        movement = stock_follow_lot(lot=lot, user=stocked.users["admin"], reason="secado")
        assert (movement.kind, movement.kg) == (MovementKind.ADJUSTMENT, D("535.92"))
        assert balance(lot, stocked.warehouse) == D("4000")
        assert stock_follow_lot(lot=lot, user=stocked.users["admin"], reason="again") is None
        lot_update(lot=lot, user=stocked.users["admin"], status="rejected")
        stock_follow_lot(lot=lot, user=stocked.users["admin"], reason="rechazado")
        assert balance(lot, stocked.warehouse) == D("0")


def test_a_dispatched_lot_leaves_the_stock_as_a_delivery_to_its_contract(stocked):
    with tenant_context(stocked.company):
        lot = stocked.lots["center"]
        lot.contract = stocked.contracts["center"]
        lot.save(update_fields=["contract"])
        lot_update(lot=lot, user=stocked.users["admin"], status="dispatched")
        out = StockMovement.objects.get(lot=lot, kind="out")
        assert (out.kg, out.reference) == (D("4535.92"), stocked.contracts["center"].code)
        assert balance(lot, stocked.warehouse) == D("0")


def test_an_adjustment_needs_a_reason_and_the_company_side(stocked):
    body = {
        "lot": stocked.lots["center"].pk,
        "kind": "adjustment",
        "to_warehouse": stocked.warehouse.pk,
        "kg": "-10",
    }
    assert "kind" in stocked.client("center").post("/api/v1/inventory/movements/", body, format="json").json()
    assert (
        "reason" in stocked.client("admin").post("/api/v1/inventory/movements/", body, format="json").json()
    )
    body["reason"] = "Conteo físico"
    assert (
        stocked.client("admin").post("/api/v1/inventory/movements/", body, format="json").status_code == 201
    )


def _chain(world):
    """Five levels: two receptions' lots merged, split, one part merged with a third lot,
    split again."""
    admin, center = world.users["admin"], world.partners["center"]

    def new(kg):
        lot = lot_create(user=admin, owner=center, weight_kg=D(kg))
        stock_receive(lot=lot, center=center, kg=D(kg), user=admin)
        return lot

    a, b, c = new("1000"), new("500"), new("250.25")
    ab = lot_merge(lots=[a, b], user=admin)
    ab1, ab2 = lot_split(lot=ab, user=admin, parts=[D("900"), D("600")])
    abc = lot_merge(lots=[ab1, c], user=admin)
    left, right = lot_split(lot=abc, user=admin, parts=[D("1000"), D("150.25")])
    return a, b, c, ab, ab1, ab2, abc, left, right


def codes(node):
    return {node["code"], *(code for child in node["lots"] for code in codes(child))}


def test_genealogy_up_and_down_through_five_levels_of_splits_and_merges(erp_a):
    with tenant_context(erp_a.company):
        a, b, c, ab, ab1, ab2, abc, left, right = _chain(erp_a)
        warehouse = warehouse_default_for(erp_a.partners["center"])
        assert balance(left, warehouse) + balance(right, warehouse) == D("1150.25")
        assert balance(ab2, warehouse) == D("600")
        assert not Lot.objects.filter(pk__in=[a.pk, ab.pk, abc.pk]).exists()  # consumed whole
    client = erp_a.client("center")
    up = client.get(f"/api/v1/lots/{left.pk}/genealogy/?direction=up").json()
    assert codes(up) == {left.code, abc.code, c.code, ab1.code, ab.code, a.code, b.code}
    assert {a.code, b.code, c.code, ab.code, abc.code} <= codes(up)
    assert ab2.code not in codes(up) and right.code not in codes(up)
    down = client.get(f"/api/v1/lots/{a.pk}/genealogy/?direction=down").json()
    assert {ab.code, ab2.code, abc.code, left.code, right.code} <= codes(down)
    assert b.code not in codes(down) and c.code not in codes(down)
    assert client.get(f"/api/v1/lots/{a.pk}/genealogy/?direction=sideways").status_code == 400


def test_a_lot_reached_twice_is_shown_once_in_full(erp_a):
    """Parts of one lot blended back together: the second path names the lot without
    repeating its branches, so the answer grows with the links, not with the paths."""
    with tenant_context(erp_a.company):
        admin, center = erp_a.users["admin"], erp_a.partners["center"]
        start = lot_create(user=admin, owner=center, weight_kg=D("1000"))
        for _round in range(3):
            halves = lot_split(lot=start, user=admin, parts=[D("500"), start.weight_kg - D("500")])
            start = lot_merge(lots=halves, user=admin)
    up = erp_a.client("center").get(f"/api/v1/lots/{start.pk}/genealogy/?direction=up").json()
    first_half, second_half = up["lots"]  # both halves of the lot before the last merge
    (before,) = first_half["lots"]
    assert "repeated" not in before and before["lots"]  # the earlier rounds, once
    (again,) = second_half["lots"]
    assert again["code"] == before["code"] and again["repeated"] is True and again["lots"] == []


def test_a_genealogy_nests_at_most_max_depth_levels(erp_a):
    from erp.lots.genealogy import MAX_DEPTH

    with tenant_context(erp_a.company):
        owner = erp_a.partners["center"]
        chain = Lot.objects.bulk_create(
            [Lot(code=f"DEEP-{n}", owner=owner, weight_kg=D("10")) for n in range(MAX_DEPTH + 3)]
        )
        LotLink.objects.bulk_create(
            [
                LotLink(parent=older, child=newer, kind="split", kg=D("10"))
                for older, newer in zip(chain, chain[1:], strict=False)
            ]
        )
    up = erp_a.client("admin").get(f"/api/v1/lots/{chain[-1].pk}/genealogy/?direction=up")
    assert up.status_code == 200
    node, depth = up.json(), 0
    while node["lots"]:
        node, depth = node["lots"][0], depth + 1
    assert depth == MAX_DEPTH and node["deeper"] is True
    more = erp_a.client("admin").get(f"/api/v1/lots/{node['id']}/genealogy/?direction=up").json()
    assert more["lots"][0]["lots"][0]["code"] == "DEEP-0"


def test_a_genealogy_names_the_receptions_that_fed_it_and_not_the_voided(erp_a):
    from erp.reception.services import reception_void
    from tests.erp.reception.helpers import make

    with tenant_context(erp_a.company):
        first = make(erp_a)
        second = make(erp_a, lot=first.lot)
        voided = make(erp_a, lot=first.lot)
        reception_void(reception=voided, user=erp_a.users["admin"], reason="Pesada repetida")
        (part,) = lot_split(lot=first.lot, user=erp_a.users["admin"], parts=[D("100")])
    up = erp_a.client("center").get(f"/api/v1/lots/{part.pk}/genealogy/?direction=up").json()
    (source,) = up["lots"]
    assert [r["number"] for r in source["receptions"]] == [first.number, second.number]
    assert source["receptions"][0] == {
        "number": first.number,
        "supplier": erp_a.partners["supplier"].name,
        "received_at": first.received_at.isoformat(timespec="microseconds"),
        "net_weight_kg": "1030.00",
    }


def test_split_weights_must_fit_and_merge_refuses_mixed_lots(erp_a):
    client = erp_a.client("admin")
    lot = erp_a.lots["supplier"]  # 20 qq = 907.18 kg
    response = client.post(f"/api/v1/lots/{lot.pk}/split/", {"parts": ["900", "8"]}, format="json")
    assert response.status_code == 400 and "parts" in response.json()
    response = client.post(f"/api/v1/lots/{lot.pk}/split/", {"parts": ["400", "7.18"]}, format="json")
    assert response.status_code == 201
    with tenant_context(erp_a.company):
        lot.refresh_from_db()
        assert lot.weight_kg == D("500.00")
        assert LotLink.objects.filter(parent=lot).count() == 2
    mixed = [erp_a.lots["supplier"].pk, erp_a.lots["supplier2"].pk]
    response = client.post("/api/v1/lots/merge/", {"lots": mixed}, format="json")
    assert response.status_code == 400 and "lots" in response.json()


def test_a_genealogy_hides_the_lots_of_other_partners(erp_a):
    with tenant_context(erp_a.company):
        admin = erp_a.users["admin"]
        theirs = erp_a.lots["supplier"]
        (part,) = lot_split(lot=theirs, user=admin, parts=[D("100")])
        lot_update(lot=part, user=admin, owner=erp_a.partners["center"])
    up = erp_a.client("center").get(f"/api/v1/lots/{part.pk}/genealogy/?direction=up").json()
    assert up["lots"] == [{"id": None, "code": None, "hidden": True, "kg": "100.00", "lots": []}]


def test_company_b_cannot_read_or_move_company_a_stock(stocked, erp_b):
    lot = stocked.lots["center"]
    assert erp_b.client("admin").get("/api/v1/inventory/stock/", HTTP_HOST=stocked.host).status_code == 401
    assert erp_b.client("admin").get("/api/v1/inventory/stock/").json()["count"] == 0
    response = erp_b.client("admin").get(f"/api/v1/lots/{lot.pk}/genealogy/")
    assert response.status_code == 404
    response = erp_b.client("admin").post(
        "/api/v1/inventory/movements/",
        {"lot": lot.pk, "kind": "out", "from_warehouse": stocked.warehouse.pk, "kg": "1"},
        format="json",
    )
    assert response.status_code == 400  # neither the lot nor the warehouse exists in B
    with tenant_context(stocked.company):
        assert not StockMovement.objects.filter(kind="out").exists()


def test_a_center_sees_only_its_own_stock(stocked):
    with tenant_context(stocked.company):
        other_lot = stocked.lots["supplier"]
        stock_receive(
            lot=other_lot, center=stocked.partners["exporter"], kg=D("10"), user=stocked.users["admin"]
        )
    lots = {
        row["lot_code"] for row in stocked.client("center").get("/api/v1/inventory/stock/").json()["results"]
    }
    assert lots == {stocked.lots["center"].code}


@pytest.mark.parametrize(
    ("page", "allowed"),
    [
        ("/inventory/", {"admin", "exporter", "center"}),
        ("/inventory/movements/", {"admin", "exporter", "center"}),
    ],
)
def test_inventory_pages_by_role(stocked, page, allowed):
    for role in ("admin", "exporter", "center", "supplier"):
        response = page_client(stocked, role).get(page)
        assert response.status_code == (200 if role in allowed else 403), (page, role)
    html = page_client(stocked, "center").get("/inventory/").content.decode()
    assert stocked.lots["center"].code in html


def test_the_lot_page_shows_its_stock_and_genealogy(erp_a):
    with tenant_context(erp_a.company):
        *_rest, left, _right = _chain(erp_a)
    html = page_client(erp_a, "admin").get(f"/lots/{left.pk}/").content.decode()
    assert "Bodega" in html or erp_a.partners["center"].name in html
    assert left.code in html


def test_the_lot_page_shows_the_first_lots_of_a_large_genealogy_and_links_the_whole(erp_a, monkeypatch):
    from erp.web.templatetags import inventory_lot

    monkeypatch.setattr(inventory_lot, "PAGE_LOTS", 3)
    with tenant_context(erp_a.company):
        *_rest, left, _right = _chain(erp_a)  # 6 lots behind it
    client = page_client(erp_a, "admin")
    html = client.get(f"/lots/{left.pk}/").content.decode()
    assert "The first 3 of 6 lots." in html or "Los primeros 3 de 6 lotes." in html
    link = f"/api/v1/lots/{left.pk}/genealogy/?direction=up&amp;format=json"
    assert link in html
    whole = client.get(link.replace("&amp;", "&"))
    assert whole.status_code == 200 and whole["Content-Type"] == "application/json"
    assert len(codes(whole.json())) == 7


def test_without_the_inventory_module_split_and_stock_answer_403_naming_it(erp_a):
    from master.licensing.models import Module

    license = erp_a.company.licenses.get()
    license.modules = [m for m in Module.values if m != Module.INVENTORY]
    license.save()
    client = erp_a.client("admin")
    refused = client.post(f"/api/v1/lots/{erp_a.lots['center'].pk}/split/", {"parts": ["1"]}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "module_not_licensed"
    assert str(Module.INVENTORY.label) in refused.json()["detail"]
    assert client.get("/api/v1/inventory/stock/").status_code == 403
    assert client.get(f"/api/v1/lots/{erp_a.lots['center'].pk}/genealogy/").status_code == 200  # lots module


def test_a_center_splits_merges_and_moves_through_the_pages(stocked):
    center = page_client(stocked, "center")
    lot = stocked.lots["center"]
    response = center.post(f"/lots/{lot.pk}/split/", {"parts": "1000; 500,5"})
    assert response.status_code == 302
    with tenant_context(stocked.company):
        first, second = (link.child for link in LotLink.objects.filter(parent=lot).order_by("pk"))
        assert (first.weight_kg, second.weight_kg) == (D("1000"), D("500.50"))
        assert balance(first, stocked.warehouse) == D("1000")
    response = center.post("/lots/merge/", {"lots": f"{first.code}, {second.code}"})
    assert response.status_code == 302
    with tenant_context(stocked.company):
        merged = LotLink.objects.get(parent=first).child
        assert merged.weight_kg == D("1500.50")
    response = center.post(
        "/inventory/movements/new/",
        {
            "lot": merged.code,
            "kind": "transfer",
            "from_warehouse": stocked.warehouse.pk,
            "to_warehouse": stocked.port.pk,
            "kg": "2000",
        },
    )
    assert response.status_code == 200 and "1500.50" in response.content.decode()  # the refusal, on the form
    response = center.post(f"/lots/{lot.pk}/split/", {"parts": "99999"})
    assert response.status_code == 200 and "99999" in response.content.decode()


@pytest.mark.parametrize(
    ("page", "allowed"),
    [
        ("/inventory/movements/new/", {"admin", "exporter", "center"}),
        ("/lots/merge/", {"admin", "exporter", "center"}),
    ],
)
def test_inventory_forms_by_role(erp_a, page, allowed):
    for role in ("admin", "exporter", "center", "supplier"):
        assert page_client(erp_a, role).get(page).status_code == (200 if role in allowed else 403), (
            page,
            role,
        )


def test_a_center_cannot_split_another_partners_lot_by_page(erp_a):
    assert page_client(erp_a, "center").get(f"/lots/{erp_a.lots['supplier'].pk}/split/").status_code == 404
    assert page_client(erp_a, "supplier").get(f"/lots/{erp_a.lots['supplier'].pk}/split/").status_code == 403


def test_goods_come_in_only_through_a_reception_and_a_transfer_needs_both_warehouses(stocked):
    client, lot = stocked.client("admin"), stocked.lots["center"].pk
    body = {"lot": lot, "kind": "in", "to_warehouse": stocked.port.pk, "kg": "10"}
    assert "kind" in client.post("/api/v1/inventory/movements/", body, format="json").json()
    body = {"lot": lot, "kind": "transfer", "from_warehouse": stocked.warehouse.pk, "kg": "10"}
    response = client.post("/api/v1/inventory/movements/", body, format="json")
    assert response.status_code == 400 and "to_warehouse" in response.json()
    assert client.get("/api/v1/inventory/stock/?warehouse=x").status_code == 400
