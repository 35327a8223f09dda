from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from erp.lots.models import Lot
from erp.lots.services import lot_create


def data_queries(captured) -> int:
    """Queries a request made, not counting the schema switch a test's own set-up causes."""
    return len([q for q in captured.captured_queries if not q["sql"].startswith("SET search_path")])


def test_a_center_registers_a_lot_in_quintales_kept_in_kilograms(erp_a):
    response = erp_a.client("center").post(
        "/api/v1/lots/", {"weight_qq": "50", "humidity_percent": "6.8", "variety": "ccn51"}, format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["owner"] == erp_a.partners["center"].pk  # a center's lots are its own
    assert (data["weight_kg"], data["weight_qq"], data["weight_tm"]) == ("2267.96", "50.00", "2.268")
    assert data["code"].startswith("LT-")


def test_a_center_cannot_register_a_lot_for_another_partner(erp_a):
    response = erp_a.client("center").post(
        "/api/v1/lots/", {"weight_qq": "5", "owner": erp_a.partners["supplier"].pk}, format="json"
    )
    assert response.status_code == 400 and "owner" in response.json()


def test_company_side_must_name_the_owner(erp_a):
    response = erp_a.client("exporter").post("/api/v1/lots/", {"weight_qq": "5"}, format="json")
    assert response.status_code == 400 and "owner" in response.json()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weight_qq", "0"),
        ("weight_qq", "-1"),
        ("weight_qq", "heavy"),
        ("humidity_percent", "101"),
        ("humidity_percent", "-2"),
        ("status", "lost"),
    ],
)
def test_bad_lots_answer_400_and_write_nothing(erp_a, field, value):
    with tenant_context(erp_a.company):
        before = Lot.objects.count()
    body = {"owner": erp_a.partners["center"].pk, "weight_qq": "10", field: value}
    response = erp_a.client("exporter").post("/api/v1/lots/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    with tenant_context(erp_a.company):
        assert Lot.objects.count() == before


def test_a_lot_without_weight_answers_400(erp_a):
    response = erp_a.client("center").post("/api/v1/lots/", {"humidity_percent": "7"}, format="json")
    assert response.status_code == 400 and "weight_qq" in response.json()


def test_every_change_is_in_the_timeline_with_who_and_what(erp_a):
    lot = erp_a.lots["center"]
    client = erp_a.client("center")
    client.patch(f"/api/v1/lots/{lot.pk}/", {"status": "drying"}, format="json")
    client.patch(f"/api/v1/lots/{lot.pk}/", {"humidity_percent": "6.5", "status": "dried"}, format="json")
    events = client.get(f"/api/v1/lots/{lot.pk}/timeline/").json()
    assert [e["action"] for e in events] == ["created", "status_changed", "updated"]
    assert events[1]["changes"] == {"status": ["stored", "drying"]}
    assert events[2]["changes"] == {"humidity_percent": ["7.50", "6.50"], "status": ["drying", "dried"]}
    assert events[2]["actor"] == erp_a.users["center"].email


def test_a_supplier_never_sees_another_suppliers_lots(erp_a):
    client = erp_a.client("supplier")
    codes = {lot["code"] for lot in client.get("/api/v1/lots/").json()["results"]}
    assert codes == {erp_a.lots["supplier"].code}
    assert client.get(f"/api/v1/lots/{erp_a.lots['supplier2'].pk}/").status_code == 404
    assert client.get(f"/api/v1/lots/{erp_a.lots['supplier2'].pk}/timeline/").status_code == 404


def test_lots_of_company_a_are_404_on_company_b(erp_a, erp_b):
    with tenant_context(erp_a.company):
        only_in_a = lot_create(
            user=erp_a.users["admin"], owner=erp_a.partners["center"], weight_kg=Decimal("5")
        )
    assert erp_b.client("admin").get(f"/api/v1/lots/{only_in_a.pk}/").status_code == 404
    assert (
        erp_b.client("admin")
        .patch(f"/api/v1/lots/{only_in_a.pk}/", {"status": "dried"}, format="json")
        .status_code
        == 404
    )


def test_filters(erp_a):
    client = erp_a.client("admin")
    stored = client.get("/api/v1/lots/", {"status": "stored"}).json()["results"]
    assert [lot["code"] for lot in stored] == [erp_a.lots["center"].code]
    by_owner = client.get("/api/v1/lots/", {"owner": erp_a.partners["supplier2"].pk}).json()
    assert by_owner["count"] == 1
    assert client.get("/api/v1/lots/", {"humidity_max": "8"}).json()["count"] == 1


def test_page_size_is_capped_at_100(erp_a):
    response = erp_a.client("admin").get("/api/v1/lots/", {"page_size": 1000})
    assert response.status_code == 200


def test_the_lot_list_makes_a_constant_number_of_queries(erp_a):
    client = erp_a.client("admin")
    client.get("/api/v1/lots/")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/lots/?page_size=1")
    with tenant_context(erp_a.company):
        for _ in range(10):
            lot_create(user=erp_a.users["admin"], owner=erp_a.partners["supplier"], weight_kg=Decimal("45"))
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/lots/?page_size=100")
    assert data_queries(many) == data_queries(few)


def test_soft_deleted_lots_keep_their_timeline_and_come_back(erp_a):
    lot = erp_a.lots["center"]
    assert erp_a.client("exporter").delete(f"/api/v1/lots/{lot.pk}/").status_code == 204
    assert erp_a.client("exporter").get(f"/api/v1/lots/{lot.pk}/").status_code == 404
    assert erp_a.client("admin").post(f"/api/v1/lots/{lot.pk}/restore/").status_code == 200
    actions = [e["action"] for e in erp_a.client("admin").get(f"/api/v1/lots/{lot.pk}/timeline/").json()]
    assert actions[-2:] == ["deleted", "restored"]


def test_the_fast_list_output_is_exactly_the_serializers(erp_a):
    from erp.lots.api import LotListSerializer, LotSerializer
    from erp.lots.selectors import lot_list, lot_rows

    with tenant_context(erp_a.company):
        lot_create(
            user=erp_a.users["admin"],
            owner=erp_a.partners["center"],
            weight_kg=Decimal("1234.5"),
            humidity_percent=Decimal("7"),
            metadata={"fermentation_days": 6},
            received_on="2026-10-02",
        )
        lots = lot_list(user=erp_a.users["admin"]).order_by("pk")
        rows = LotListSerializer(lot_rows(lots), many=True).data
        assert rows == LotSerializer(lots, many=True).data
    listed = erp_a.client("admin").get("/api/v1/lots/").json()["results"]
    detailed = [erp_a.client("admin").get(f"/api/v1/lots/{row['id']}/").json() for row in listed]
    assert listed == detailed
