from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import schema_context, schema_exists, tenant_context

from master.companies.models import Company, UserDirectoryEntry
from master.companies.services import company_delete, company_provision
from tests.conftest import (
    COMPANY_A,
    COMPANY_B,
    PASSWORD,
    STAFF_EMAIL,
    bearer,
    login_tokens,
    user_in,
)
from triboka.accounts.models import Role, User
from triboka.accounts.services import user_create, user_update

NEW = {
    "name": "Delta Cacao",
    "slug": "delta",
    "ruc": "1700000001001",
    "kind": "center",
    "license_type": "api",
    "admin_email": "boss@delta.test",
}


def test_staff_lists_and_searches_companies(staff_api):
    listing = staff_api.get("/api/master/companies/").json()
    assert {c["slug"] for c in listing["results"]} >= {"alpha", "beta"}
    found = staff_api.get("/api/master/companies/", {"search": "Beta"}).json()["results"]
    assert [c["slug"] for c in found] == ["beta"]
    assert found[0]["license"]["type"] == "saas"
    assert found[0]["url"] == "http://beta.localhost:8000/"


def test_staff_filters_companies_by_status_and_kind(staff_api, company_a):
    from master.companies.services import company_suspend

    company_suspend(company=company_a)
    suspended = staff_api.get("/api/master/companies/", {"status": "suspended"}).json()["results"]
    assert [c["slug"] for c in suspended] == ["alpha"]
    centers = staff_api.get("/api/master/companies/", {"kind": "center"}).json()["results"]
    assert [c["slug"] for c in centers] == ["beta"]


def test_staff_creates_a_company(staff_api):
    response = staff_api.post("/api/master/companies/", NEW, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "delta" and body["license"]["type"] == "api"
    assert body["set_password_url"].startswith("http://delta.localhost:8000/accounts/set-password/")
    assert schema_exists("delta")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("slug", "alpha"),
        ("slug", "public"),
        ("slug", "Delta"),
        ("slug", "-delta"),
        ("slug", "d" * 64),
        ("ruc", COMPANY_A.ruc),
        ("ruc", "123"),
        ("ruc", "1700000002001"),
        ("admin_email", "nope"),
        ("kind", "pirate"),
        ("license_type", "forever"),
    ],
)
def test_bad_input_answers_400_with_the_field_and_creates_nothing(staff_api, field, value):
    before = Company.objects.count()
    response = staff_api.post("/api/master/companies/", {**NEW, field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Company.objects.count() == before
    assert not schema_exists("delta")


def test_staff_edits_a_company(staff_api, company_b):
    url = f"/api/master/companies/{company_b.pk}/"
    response = staff_api.patch(url, {"name": "Beta Acopio Renovado"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Beta Acopio Renovado"
    response = staff_api.put(url, {"name": "Beta", "ruc": company_b.ruc, "kind": "supplier"}, format="json")
    assert response.status_code == 200 and response.json()["kind"] == "supplier"


def test_the_subdomain_cannot_change(staff_api, company_b):
    response = staff_api.patch(f"/api/master/companies/{company_b.pk}/", {"slug": "gamma"}, format="json")
    assert response.status_code == 400 and "slug" in response.json()


def test_editing_to_a_duplicate_ruc_answers_400(staff_api, company_b):
    response = staff_api.patch(
        f"/api/master/companies/{company_b.pk}/", {"ruc": COMPANY_A.ruc}, format="json"
    )
    assert response.status_code == 400 and "ruc" in response.json()


def test_staff_suspends_and_reactivates(staff_api, company_b):
    url = f"/api/master/companies/{company_b.pk}/"
    assert (
        staff_api.post(url + "suspend/", {"reason": "unpaid"}, format="json").json()["status"] == "suspended"
    )
    assert staff_api.post(url + "reactivate/", format="json").json()["status"] == "active"


def test_unknown_company_answers_404(staff_api):
    assert staff_api.get("/api/master/companies/999999/").status_code == 404


def test_the_master_api_needs_staff(db, root_host):
    from tests.conftest import api_client

    assert api_client(root_host).get("/api/master/companies/").status_code == 401
    with schema_context("public"):
        User.objects.create_user("plain@triboka.test", PASSWORD, role=Role.STAFF)
    access = login_tokens(root_host, "plain@triboka.test")["access"]
    assert bearer(root_host, access).get("/api/master/companies/").status_code == 403


# --- the user directory ---------------------------------------------------------------


def test_directory_lists_users_of_all_companies(staff_api):
    results = staff_api.get("/api/master/users/", {"search": "user@"}).json()["results"]
    assert {(r["company"], r["email"]) for r in results} == {
        ("alpha", COMPANY_A.user_email),
        ("beta", COMPANY_B.user_email),
    }


def test_directory_follows_creation_change_and_deactivation(staff_api, company_a):
    with tenant_context(company_a):
        user = user_create(email="new@alpha.test", role=Role.CENTER, full_name="New")
    entry = UserDirectoryEntry.objects.get(company=company_a, email="new@alpha.test")
    assert (entry.role, entry.is_active, entry.user_id) == (Role.CENTER, True, user.pk)

    with tenant_context(company_a):
        user_update(user=user, role=Role.SUPPLIER, full_name="Renamed")
        user_update(user=user, is_active=False)
    results = staff_api.get("/api/master/users/", {"search": "new@alpha"}).json()["results"]
    assert [(r["role"], r["full_name"], r["is_active"]) for r in results] == [("supplier", "Renamed", False)]
    assert (
        staff_api.get("/api/master/users/", {"is_active": "false", "company": company_a.pk}).json()["count"]
        == 1
    )


def test_directory_records_the_last_login(staff_api, company_b):
    login_tokens(company_b.primary_domain, COMPANY_B.user_email)
    connection.set_schema_to_public()
    entry = UserDirectoryEntry.objects.get(company=company_b, email=COMPANY_B.user_email)
    assert entry.last_login is not None


def test_directory_forgets_a_deleted_user(company_a):
    user_in(company_a, COMPANY_A.user_email)
    with tenant_context(company_a):
        User.objects.get(email=COMPANY_A.user_email).delete()
    assert not UserDirectoryEntry.objects.filter(company=company_a, email=COMPANY_A.user_email).exists()


def test_the_directory_is_for_staff_only(company_a, root_host):
    access = login_tokens(company_a.primary_domain, COMPANY_A.admin_email)["access"]
    assert bearer(root_host, access).get("/api/master/users/").status_code == 401
    assert bearer(company_a.primary_domain, access).get("/api/master/users/").status_code == 404


# --- deletion (committed data: pg_dump reads it from its own connection) -------------


def test_staff_deletes_a_company_after_a_final_dump(committed_company, django_db_blocker, tmp_path):
    with django_db_blocker.unblock():
        staff = bearer("localhost", login_tokens("localhost", STAFF_EMAIL)["access"])
        response = staff.delete(f"/api/master/companies/{committed_company.pk}/")
        assert response.status_code == 200, response.content
        dump = Path(response.json()["final_dump"])
        assert dump.parent.parent == tmp_path and dump.stat().st_size > 0
        assert '"slug": "epsilon"' in dump.with_suffix(".json").read_text()
        assert not Company.objects.filter(slug="epsilon").exists()
        assert not schema_exists("epsilon")
        assert not UserDirectoryEntry.objects.filter(email="e@epsilon.test").exists()


def test_deletion_purges_the_companys_cache_and_archives_its_files(
    committed_company, django_db_blocker, settings, tmp_path
):
    from django.core.cache import cache
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    with django_db_blocker.unblock():
        with tenant_context(committed_company):
            cache.set("figures", 42)
            name = default_storage.save("docs/contract.pdf", ContentFile(b"%PDF-1.4"))
        dump = company_delete(company=committed_company, confirm_slug="epsilon")
        with schema_context("epsilon"):
            assert cache.get("figures") is None
            assert not default_storage.exists(name)
    assert (dump.with_suffix(".media") / name).read_bytes() == b"%PDF-1.4"


def test_nothing_is_deleted_when_the_final_dump_fails(committed_company, django_db_blocker, monkeypatch):
    from master.companies import services
    from master.companies.pgdump import PgDumpError

    def broken_dump(*args, **kwargs):
        raise PgDumpError("disk full")

    with monkeypatch.context() as patch, django_db_blocker.unblock(), pytest.raises(PgDumpError):
        patch.setattr(services, "pg_dump", broken_dump)
        company_delete(company=committed_company, confirm_slug="epsilon")
    with django_db_blocker.unblock():
        company = Company.objects.get(slug="epsilon")
        assert schema_exists("epsilon") and not company.is_suspended


def test_every_problem_of_a_new_company_is_reported_at_once(staff_api):
    bad = {**NEW, "slug": "Admin", "ruc": "123", "admin_email": "x"}
    response = staff_api.post("/api/master/companies/", bad, format="json", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    body = response.json()
    assert {"slug", "ruc", "admin_email"} <= set(body)
    assert body["detail"] == "Entrada inválida."


def test_tokens_of_a_deleted_company_do_not_work_for_a_new_one_with_its_subdomain(
    committed_company, django_db_blocker
):
    host = committed_company.primary_domain
    with django_db_blocker.unblock():
        old = login_tokens(host, "e@epsilon.test")
        company_delete(company=committed_company, confirm_slug="epsilon")
        company_provision(
            name="Epsilon Two",
            slug="epsilon",
            ruc="1700000001001",
            kind="other",
            license_type="saas",
            admin_email="new-owner@epsilon.test",
            admin_password=PASSWORD,
        )
        assert bearer(host, old["access"]).get("/api/v1/me/").status_code == 401
        refreshed = bearer(host, "").post("/api/v1/auth/refresh/", {"refresh": old["refresh"]}, format="json")
        assert refreshed.status_code == 401


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_a_non_numeric_company_id_answers_404(staff_api, method):
    assert getattr(staff_api, method)("/api/master/companies/abc/").status_code == 404
    assert staff_api.post("/api/master/companies/abc/suspend/").status_code == 404


def test_an_overlong_admin_email_answers_400(staff_api):
    response = staff_api.post(
        "/api/master/companies/", {**NEW, "admin_email": "a" * 250 + "@example.com"}, format="json"
    )
    assert response.status_code == 400 and "admin_email" in response.json()
