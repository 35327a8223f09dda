"""Rules and scoping that a review of the ERP found missing, each pinned by a test."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation
from django_tenants.utils import tenant_context

from erp.contracts.services import contract_assign_lot, contract_transition
from erp.demo import minimal_pdf
from erp.documents.services import document_upload
from erp.lots.models import Lot
from erp.lots.services import lot_create, lot_delete
from erp.market.fob_import import FobImportError, fob_import
from erp.partners.models import Membership
from erp.partners.services import partner_delete
from master.companies.services import company_suspend


def assign(world, contract_name, lot):
    with tenant_context(world.company):
        contract_assign_lot(contract=world.contracts[contract_name], lot=lot, user=world.users["admin"])


def test_users_cannot_take_the_codes_the_system_gives_out(erp_a):
    lot = erp_a.lots["center"]
    response = erp_a.client("center").patch(
        f"/api/v1/lots/{lot.pk}/", {"code": "LT-2026-00099"}, format="json"
    )
    assert response.status_code == 400 and "code" in response.json()
    created = erp_a.client("exporter").post(
        "/api/v1/lots/", {"owner": erp_a.partners["center"].pk, "weight_qq": "3"}, format="json"
    )
    assert created.status_code == 201 and created.json()["code"].startswith("LT-")


def test_the_code_of_a_deleted_lot_is_still_taken(erp_a):
    with tenant_context(erp_a.company):
        lot = lot_create(
            user=erp_a.users["admin"],
            owner=erp_a.partners["center"],
            code="VINCES-7",
            weight_kg=Decimal("10"),
        )
        lot_delete(lot=lot, user=erp_a.users["admin"])
    response = erp_a.client("exporter").post(
        "/api/v1/lots/",
        {"owner": erp_a.partners["center"].pk, "weight_qq": "3", "code": "VINCES-7"},
        format="json",
    )
    assert response.status_code == 400 and "code" in response.json()


def test_filters_and_forms_offer_only_what_the_user_may_see(erp_a):
    client = erp_a.client("supplier")
    page = client.get("/api/v1/lots/", HTTP_ACCEPT="text/html").content.decode()
    assert erp_a.partners["supplier2"].name not in page
    assert erp_a.contracts["center"].code not in page
    hidden = client.get("/api/v1/lots/", {"owner": erp_a.partners["supplier2"].pk})
    missing = client.get("/api/v1/lots/", {"owner": 999999})
    assert hidden.status_code == missing.status_code == 400  # a hidden id looks like a missing one


def test_users_of_a_deleted_partner_see_nothing(erp_a):
    with tenant_context(erp_a.company):
        partner_delete(partner=erp_a.partners["center"])
    client = erp_a.client("center")
    assert client.get("/api/v1/lots/").json()["count"] == 0
    assert client.post("/api/v1/lots/", {"weight_qq": "1"}, format="json").status_code == 403
    assert client.get("/api/v1/dashboard/").status_code == 200


def test_the_dashboard_of_a_partner_user_bound_to_no_partner_is_empty(erp_a):
    with tenant_context(erp_a.company):
        Membership.objects.filter(user=erp_a.users["supplier"]).delete()
    data = erp_a.client("supplier").get("/api/v1/dashboard/").json()
    assert data["stock_by_status"] == [] and data["contracts"]["active_contracts"] == 0


def test_a_lot_of_a_partner_outside_the_contract_is_refused(erp_a):
    url = f"/api/v1/contracts/{erp_a.contracts['center'].pk}/lots/"
    response = erp_a.client("exporter").post(url, {"lot": erp_a.lots["supplier"].pk}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "lot_of_another_partner"


def test_a_heavier_lot_must_still_fit_its_contract(erp_a):
    lot = erp_a.lots["center"]
    assign(erp_a, "center", lot)
    response = erp_a.client("center").patch(f"/api/v1/lots/{lot.pk}/", {"weight_qq": "5000"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "volume_exceeded"
    assert erp_a.client("center").get(f"/api/v1/lots/{lot.pk}/").json()["weight_qq"] == "100.00"


def test_a_lot_delivered_under_a_fulfilled_contract_stays_there(erp_a):
    lot = erp_a.lots["center"]
    assign(erp_a, "center", lot)
    with tenant_context(erp_a.company):
        for status in ("in_execution", "fulfilled"):
            contract_transition(contract=erp_a.contracts["center"], to_status=status)
    other = (
        erp_a.client("exporter")
        .post(
            "/api/v1/contracts/",
            {
                "exporter": erp_a.partners["exporter"].pk,
                "counterparty": erp_a.partners["center"].pk,
                "volume_tm": "5",
                "price_type": "fixed",
                "price_usd_per_tm": "6000",
                "delivery_from": "2026-01-01",
                "delivery_to": "2026-12-31",
            },
            format="json",
        )
        .json()
    )
    erp_a.client("exporter").post(
        f"/api/v1/contracts/{other['id']}/transition/", {"status": "active"}, format="json"
    )
    response = erp_a.client("exporter").post(
        f"/api/v1/contracts/{other['id']}/lots/", {"lot": lot.pk}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "lot_delivered_elsewhere"


def test_null_characters_answer_400(erp_a):
    client = erp_a.client("admin")
    assert client.get("/api/v1/fob-prices/latest/", {"source": "\x00"}).status_code == 400
    response = client.post(
        "/api/v1/lots/",
        {"owner": erp_a.partners["center"].pk, "weight_qq": "1", "metadata": {"note": "a\x00b"}},
        format="json",
    )
    assert response.status_code == 400 and "metadata" in response.json()


def test_documents_go_away_with_their_contract(erp_a):
    contract = erp_a.contracts["center"]
    with tenant_context(erp_a.company):
        from django.core.files.uploadedfile import SimpleUploadedFile

        document = document_upload(
            contract=contract,
            kind="invoice",
            user=erp_a.users["admin"],
            uploaded_file=SimpleUploadedFile("f.pdf", minimal_pdf("x")),
        )
    erp_a.client("admin").delete(f"/api/v1/contracts/{contract.pk}/")
    client = erp_a.client("center")
    assert client.get("/api/v1/documents/").json()["count"] == 0
    assert client.get(f"/api/v1/documents/{document.pk}/download/").status_code == 404


def test_counts_are_exact_up_to_the_cap_and_estimated_beyond(erp_a, monkeypatch):
    monkeypatch.setattr("erp.api.EXACT_COUNT_LIMIT", 2)
    client = erp_a.client("admin")
    everything = client.get("/api/v1/lots/").json()
    assert everything["count_exact"] is False and everything["count"] >= 3
    filtered = client.get("/api/v1/lots/", {"status": "stored"}).json()
    assert filtered["count_exact"] is True and filtered["count"] == 1


def test_pages_beyond_a_short_estimate_are_still_reachable(erp_a, monkeypatch):
    monkeypatch.setattr("erp.api.EXACT_COUNT_LIMIT", 1)
    monkeypatch.setattr("erp.api._planner_estimate", lambda queryset: 0)  # far too low
    client = erp_a.client("admin")
    seen, url = [], "/api/v1/lots/?page_size=1"
    while url:
        page = client.get(url).json()
        assert page["count_exact"] is False
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    with tenant_context(erp_a.company):
        assert sorted(seen) == sorted(Lot.objects.values_list("pk", flat=True))
    assert client.get(f"/api/v1/lots/?page_size=1&page={len(seen) + 1}").status_code == 404
    assert client.get("/api/v1/lots/?page=zero").status_code == 404


def test_a_partners_kind_cannot_change_while_users_or_contracts_depend_on_it(erp_a):
    client = erp_a.client("admin")
    response = client.patch(
        f"/api/v1/partners/{erp_a.partners['exporter'].pk}/", {"kind": "buyer"}, format="json"
    )
    assert response.status_code == 400 and "kind" in response.json()
    free = client.patch(
        f"/api/v1/partners/{erp_a.partners['buyer'].pk}/",
        {"kind": "supplier", "tax_id": "1700000001"},
        format="json",
    )
    assert free.status_code == 200, free.content


def test_restoring_a_record_that_is_not_deleted_answers_409(erp_a):
    response = erp_a.client("admin").post(f"/api/v1/lots/{erp_a.lots['center'].pk}/restore/")
    assert response.status_code == 409
    events = erp_a.client("admin").get(f"/api/v1/lots/{erp_a.lots['center'].pk}/timeline/").json()
    assert "restored" not in [event["action"] for event in events]


def test_the_fob_importer_reads_old_mac_line_endings_and_refuses_binary(erp_a):
    with tenant_context(erp_a.company):
        report = fob_import("year,month,price,source\r2026,9,6611.90,BCE\r2026,10,6480.15,BCE\r")
        assert report.added == 2
        with pytest.raises(FobImportError):
            fob_import("year,month,price,source\n2026,9,66\x0011,BCE\n")


def test_the_fob_command_leaves_suspended_companies_alone(erp_a, erp_b, tmp_path):
    company_suspend(company=erp_b.company)
    csv = tmp_path / "fob.csv"
    csv.write_text("year,month,price,source\n2026,9,6611.90,BCE\n")
    out = StringIO()
    with translation.override("en"):
        call_command("import_fob_prices", str(csv), stdout=out)
    assert erp_a.company.name in out.getvalue() and erp_b.company.name not in out.getvalue()


def test_a_price_that_rounds_to_zero_is_refused(erp_a):
    response = erp_a.client("admin").post(
        "/api/v1/calculator/", {"spot": "1", "differentials": ["0.99"]}, format="json"
    )
    assert response.status_code == 400 and "differentials" in response.json()
