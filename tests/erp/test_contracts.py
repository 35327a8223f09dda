import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from erp.contracts.models import Contract, ContractStatus
from erp.lots.services import lot_create

NEW = {
    "volume_tm": "5",
    "price_type": "fixed",
    "price_usd_per_tm": "6100.50",
    "delivery_from": "2026-02-01",
    "delivery_to": "2026-08-31",
    "quality_terms": "Humedad máx. 7 %",
}


def new_contract(world, **overrides):
    data = {
        **NEW,
        "exporter": world.partners["exporter"].pk,
        "counterparty": world.partners["supplier2"].pk,
        **overrides,
    }
    return world.client("exporter").post("/api/v1/contracts/", data, format="json")


def test_contracts_get_a_yearly_code_per_company(erp_a, erp_b):
    response = new_contract(erp_a)
    assert response.status_code == 201, response.content
    assert re.fullmatch(r"CT-\d{4}-0003", response.json()["code"])  # the fixtures made 0001 and 0002
    assert re.fullmatch(r"CT-\d{4}-0003", new_contract(erp_b).json()["code"])  # B counts on its own


def test_a_contract_shows_contracted_delivered_and_pending_volume(erp_a):
    contract = erp_a.contracts["center"]  # 10 TM, active
    client = erp_a.client("exporter")
    lot = erp_a.lots["center"]  # 100 qq = 4535.92 kg
    assert (
        client.post(f"/api/v1/contracts/{contract.pk}/lots/", {"lot": lot.pk}, format="json").status_code
        == 201
    )
    data = client.get(f"/api/v1/contracts/{contract.pk}/").json()
    figures = {
        k: data[k]
        for k in ("volume_tm", "volume_qq", "delivered_tm", "delivered_qq", "pending_tm", "pending_qq")
    }
    assert figures == {
        "volume_tm": "10.000",
        "volume_qq": "220.46",
        "delivered_tm": "4.536",
        "delivered_qq": "100.00",
        "pending_tm": "5.464",
        "pending_qq": "120.46",
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("volume_tm", "0"),
        ("volume_tm", "-3"),
        ("volume_tm", "mucho"),
        ("price_type", "barter"),
        ("price_usd_per_tm", None),
        ("delivery_to", "2026-01-01"),
        ("counterparty", 999999),
    ],
)
def test_bad_contracts_answer_400_and_write_nothing(erp_a, field, value):
    with tenant_context(erp_a.company):
        before = Contract.objects.count()
    data = {field: value} if value is not None else {"price_usd_per_tm": ""}
    response = new_contract(erp_a, **data)
    assert response.status_code == 400, response.content
    assert field in response.json()
    with tenant_context(erp_a.company):
        assert Contract.objects.count() == before


def test_a_differential_contract_needs_its_differential_and_accepts_a_premium(erp_a):
    missing = new_contract(erp_a, price_type="differential", price_usd_per_tm=None)
    assert missing.status_code == 400 and "differential_usd_per_tm" in missing.json()
    premium = new_contract(
        erp_a, price_type="differential", price_usd_per_tm=None, differential_usd_per_tm="-150"
    )
    assert premium.status_code == 201, premium.content


def test_the_exporter_side_must_be_an_exporter(erp_a):
    response = new_contract(erp_a, exporter=erp_a.partners["center"].pk)
    assert response.status_code == 400 and "exporter" in response.json()


def test_the_status_workflow_moves_forward_and_cancels(erp_a):
    client = erp_a.client("exporter")
    url = f"/api/v1/contracts/{erp_a.contracts['supplier'].pk}/transition/"
    assert client.get(url.replace("transition/", "")).json()["allowed_transitions"] == ["active", "cancelled"]
    for status in ("active", "in_execution", "fulfilled"):
        response = client.post(url, {"status": status}, format="json")
        assert response.status_code == 200 and response.json()["status"] == status


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], "fulfilled"),
        ([], "in_execution"),
        (["cancelled"], "active"),
        (["active", "in_execution", "fulfilled"], "cancelled"),
    ],
)
def test_illegal_transitions_answer_409_with_a_message(erp_a, path, target):
    client = erp_a.client("exporter")
    url = f"/api/v1/contracts/{erp_a.contracts['supplier'].pk}/transition/"
    for status in path:
        assert client.post(url, {"status": status}, format="json").status_code == 200
    response = client.post(url, {"status": target}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409 and response.json()["code"] == "illegal_transition"
    assert f"«{ContractStatus(target).label}»" in response.json()["detail"]


def test_an_unknown_status_answers_400(erp_a):
    url = f"/api/v1/contracts/{erp_a.contracts['supplier'].pk}/transition/"
    assert erp_a.client("exporter").post(url, {"status": "paid"}, format="json").status_code == 400


def test_a_closed_contract_cannot_be_edited(erp_a):
    client = erp_a.client("exporter")
    contract = erp_a.contracts["supplier"]
    client.post(f"/api/v1/contracts/{contract.pk}/transition/", {"status": "cancelled"}, format="json")
    response = client.patch(f"/api/v1/contracts/{contract.pk}/", {"notes": "x"}, format="json")
    assert response.status_code == 409


def test_a_lot_dispatched_under_another_contract_is_refused(erp_a):
    client = erp_a.client("exporter")
    lot = erp_a.lots["center"]
    center_contract = erp_a.contracts["center"]
    client.post(f"/api/v1/contracts/{center_contract.pk}/lots/", {"lot": lot.pk}, format="json")
    client.patch(f"/api/v1/lots/{lot.pk}/", {"status": "dispatched"}, format="json")
    other = new_contract(erp_a, counterparty=erp_a.partners["center"].pk).json()
    client.post(f"/api/v1/contracts/{other['id']}/transition/", {"status": "active"}, format="json")
    response = client.post(f"/api/v1/contracts/{other['id']}/lots/", {"lot": lot.pk}, format="json")
    assert response.status_code == 409
    assert center_contract.code in response.json()["detail"]


def test_a_lot_that_would_exceed_the_volume_beyond_tolerance_is_refused(erp_a, settings):
    settings.CONTRACT_VOLUME_TOLERANCE_PERCENT = 5
    client = erp_a.client("exporter")
    contract = erp_a.contracts["center"]  # 10 TM: up to 10,500 kg with 5 %
    with tenant_context(erp_a.company):
        fits = lot_create(
            user=erp_a.users["admin"], owner=erp_a.partners["center"], weight_kg=Decimal("10400")
        )
        too_much = lot_create(
            user=erp_a.users["admin"], owner=erp_a.partners["center"], weight_kg=Decimal("200")
        )
    url = f"/api/v1/contracts/{contract.pk}/lots/"
    assert client.post(url, {"lot": fits.pk}, format="json").status_code == 201
    refused = client.post(url, {"lot": too_much.pk}, format="json")
    assert refused.status_code == 409 and "5" in refused.json()["detail"]


def test_lots_go_to_active_contracts_only(erp_a):
    url = f"/api/v1/contracts/{erp_a.contracts['supplier'].pk}/lots/"  # a draft
    response = erp_a.client("exporter").post(url, {"lot": erp_a.lots["supplier"].pk}, format="json")
    assert response.status_code == 409


def test_an_assignment_lands_in_the_lot_timeline(erp_a):
    client = erp_a.client("exporter")
    lot = erp_a.lots["center"]
    client.post(f"/api/v1/contracts/{erp_a.contracts['center'].pk}/lots/", {"lot": lot.pk}, format="json")
    events = client.get(f"/api/v1/lots/{lot.pk}/timeline/").json()
    assert events[-1]["action"] == "assigned"
    assert events[-1]["changes"]["contract"] == [None, erp_a.contracts["center"].code]
    assert events[-1]["actor"] == erp_a.users["exporter"].email


def test_soft_deleted_contracts_disappear_and_an_admin_restores_them(erp_a):
    contract = erp_a.contracts["supplier"]
    assert erp_a.client("exporter").delete(f"/api/v1/contracts/{contract.pk}/").status_code == 204
    assert erp_a.client("admin").get(f"/api/v1/contracts/{contract.pk}/").status_code == 404
    restored = erp_a.client("admin").post(f"/api/v1/contracts/{contract.pk}/restore/")
    assert restored.status_code == 200 and restored.json()["deleted_at"] is None


def test_filters_and_search(erp_a):
    client = erp_a.client("admin")
    assert [c["status"] for c in client.get("/api/v1/contracts/?status=active").json()["results"]] == [
        "active"
    ]
    found = client.get("/api/v1/contracts/", {"search": "Finca Uno"}).json()["results"]
    assert [c["counterparty_name"] for c in found] == ["A Finca Uno"]
    by_partner = client.get("/api/v1/contracts/", {"counterparty": erp_a.partners["center"].pk}).json()
    assert by_partner["count"] == 1


def test_company_a_contracts_are_404_on_company_b(erp_a, erp_b):
    only_in_a = new_contract(erp_a).json()["id"]  # B has fewer contracts: this id is A's alone
    assert erp_b.client("admin").get(f"/api/v1/contracts/{only_in_a}/").status_code == 404
    assert (
        erp_b.client("admin")
        .post(f"/api/v1/contracts/{only_in_a}/transition/", {"status": "active"}, format="json")
        .status_code
        == 404
    )


def test_the_contract_list_makes_a_constant_number_of_queries(erp_a):
    client = erp_a.client("admin")
    client.get("/api/v1/contracts/")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/contracts/?page_size=2")
    for _ in range(5):
        new_contract(erp_a)
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/contracts/?page_size=100")
    assert len(many) == len(few)
