import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_exists

from master.companies.models import Company, CompanyStatus
from master.companies.services import company_provision
from tests.conftest import COMPANY_A, PASSWORD, STAFF_EMAIL, web_client

FORM = {
    "name": "Zeta Cacao",
    "slug": "zeta",
    "ruc": "1700000001001",
    "kind": "exporter",
    "license_type": "saas",
    "admin_email": "owner@zeta.test",
    "admin_password": "",
}


@pytest.fixture
def master(db, root_host):
    client = web_client(root_host)
    response = client.post("/admin/login/?next=/admin/", {"username": STAFF_EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_master_admin_creates_a_company_with_the_form(master):
    response = master.post("/admin/companies/company/add/", FORM, follow=True)
    assert response.status_code == 200
    company = Company.objects.get(slug="zeta")
    assert schema_exists("zeta") and company.licenses.get().type == "saas"
    text = response.content.decode()
    assert "http://zeta.localhost:8000/" in text and "/accounts/set-password/" in text


def test_the_form_shows_field_errors_and_creates_nothing(master):
    response = master.post("/admin/companies/company/add/", {**FORM, "slug": "admin", "ruc": "123"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"slug", "ruc"} <= set(errors)
    assert not Company.objects.filter(name="Zeta Cacao").exists()


def test_master_admin_searches_companies_without_a_query_per_row(master):
    master.get("/admin/companies/company/")
    with CaptureQueriesContext(connection) as few:
        response = master.get("/admin/companies/company/", {"q": "alpha"})
    assert (
        response.status_code == 200
        and b"Alpha Cacao" in response.content
        and b"Beta Acopio" not in response.content
    )
    for n, ruc in enumerate(["1700000001001", "0992000015001", "1300129499001"]):
        company_provision(
            name=f"Extra {n}",
            slug=f"extra-{n}",
            ruc=ruc,
            kind="other",
            license_type="saas",
            admin_email=f"a@extra{n}.test",
        )
    with CaptureQueriesContext(connection) as all_rows:
        master.get("/admin/companies/company/")
    assert len(all_rows.captured_queries) <= len(few.captured_queries) + 2


def test_master_admin_suspends_and_reactivates_from_the_company_page(master, company_a):
    master.post(f"/admin/companies/company/{company_a.pk}/suspend/")
    assert Company.objects.get(pk=company_a.pk).status == CompanyStatus.SUSPENDED
    assert web_client(company_a.primary_domain).get("/").status_code == 403
    master.post(f"/admin/companies/company/{company_a.pk}/reactivate/")
    assert Company.objects.get(pk=company_a.pk).status == CompanyStatus.ACTIVE


def test_suspend_action_on_the_list(master, company_a):
    master.post(
        "/admin/companies/company/", {"action": "suspend_selected", "_selected_action": [company_a.pk]}
    )
    assert Company.objects.get(pk=company_a.pk).is_suspended


def test_master_admin_edits_a_company(master, company_a):
    response = master.post(
        f"/admin/companies/company/{company_a.pk}/change/",
        {
            "name": "Alpha Renamed",
            "ruc": COMPANY_A.ruc,
            "kind": "supplier",
            "domains-TOTAL_FORMS": "1",
            "domains-INITIAL_FORMS": "1",
            "domains-0-id": company_a.domains.get().pk,
            "domains-0-tenant": company_a.pk,
            "domains-0-domain": company_a.primary_domain,
            "domains-0-is_primary": "on",
            "licenses-TOTAL_FORMS": "1",
            "licenses-INITIAL_FORMS": "1",
            "licenses-0-id": company_a.licenses.get().pk,
            "licenses-0-company": company_a.pk,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Company.objects.get(pk=company_a.pk).name == "Alpha Renamed"


def test_there_is_no_bulk_delete(master):
    page = master.get("/admin/companies/company/")
    assert b"delete_selected" not in page.content


def test_delete_asks_for_the_slug_and_takes_a_final_dump(
    committed_company, django_db_blocker, tmp_path, root_host
):
    with django_db_blocker.unblock():
        client = web_client(root_host)
        client.post("/admin/login/?next=/admin/", {"username": STAFF_EMAIL, "password": PASSWORD})
        url = f"/admin/companies/company/{committed_company.pk}/delete/"
        assert b"epsilon" in client.get(url).content
        wrong = client.post(url, {"confirm_slug": "beta"})
        assert wrong.status_code == 200 and wrong.context["form"].errors
        assert Company.objects.filter(slug="epsilon").exists()
        done = client.post(url, {"confirm_slug": "epsilon"})
        assert done.status_code == 302
        assert not Company.objects.filter(slug="epsilon").exists() and not schema_exists("epsilon")
        assert list(tmp_path.glob("epsilon/final-*.dump"))


def test_unknown_company_pages_answer_404(master):
    assert master.get("/admin/companies/company/abc/delete/").status_code == 404
    assert master.get("/admin/companies/company/999999/delete/").status_code == 404
    assert master.post("/admin/companies/company/999999/suspend/").status_code == 404


def test_an_overlong_admin_email_is_a_form_error(master):
    response = master.post("/admin/companies/company/add/", {**FORM, "admin_email": "a" * 250 + "@x.com"})
    assert response.status_code == 200 and "admin_email" in response.context["form"].errors
