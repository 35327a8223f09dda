from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from master.companies.models import Company, Domain
from master.companies.services import company_reactivate, company_suspend
from tests.conftest import COMPANY_A, PASSWORD, api_client, login_tokens, user_in, web_client
from triboka.accounts.models import User


def test_root_domain_serves_the_master_panel(db, root_host):
    response = web_client(root_host).get("/admin/login/")
    assert response.status_code == 200
    assert b"Triboka Master" in response.content


def test_admin_subdomain_is_the_root_too(db, root_host):
    assert web_client(f"admin.{root_host}").get("/admin/login/").status_code == 200


def test_company_host_serves_that_company(db, company_a):
    response = web_client(company_a.primary_domain).get("/accounts/login/")
    assert response.status_code == 200
    assert company_a.name.encode() in response.content


def test_a_custom_domain_reaches_its_company(db, company_a):
    Domain.objects.create(domain="erp.alpha-cacao.com", tenant=company_a, is_primary=False)
    tokens = login_tokens("erp.alpha-cacao.com", COMPANY_A.admin_email)
    assert tokens["access"]


def test_unknown_host_answers_a_plain_404(db, root_host):
    response = web_client(f"nobody.{root_host}").get("/")
    assert response.status_code == 404
    assert b"Traceback" not in response.content
    assert b"There is no Triboka site" in response.content or b"No hay un sitio" in response.content


def test_unknown_host_answers_json_404_under_api(db, root_host):
    response = api_client(f"nobody.{root_host}").get("/api/v1/me/")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_host"


def test_a_foreign_host_is_not_served_either(db):
    assert web_client("evil.example.com").get("/admin/").status_code == 404


def test_suspended_company_answers_403_and_keeps_its_data(db, company_a):
    company_suspend(company=company_a, reason="unpaid")
    page = web_client(company_a.primary_domain).get("/accounts/login/")
    assert page.status_code == 403
    assert b"suspend" in page.content.lower()
    api = api_client(company_a.primary_domain).post(
        "/api/v1/auth/login/", {"email": COMPANY_A.admin_email, "password": PASSWORD}, format="json"
    )
    assert api.status_code == 403
    assert api.json()["code"] == "company_suspended"

    company_reactivate(company=company_a)
    assert user_in(company_a, COMPANY_A.user_email).is_active
    assert login_tokens(company_a.primary_domain, COMPANY_A.admin_email)["access"]


def test_suspended_page_speaks_the_browser_language(db, company_a):
    company_suspend(company=company_a)
    spanish = web_client(company_a.primary_domain).get("/")
    english = web_client(company_a.primary_domain).get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert b"suspendida" in spanish.content
    assert b"suspended" in english.content


def test_routing_is_cached_so_a_request_does_not_look_up_the_domain(db, company_a):
    client = web_client(company_a.primary_domain)
    client.get("/accounts/login/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/accounts/login/")
    assert not [q for q in queries.captured_queries if "companies_domain" in q["sql"]]
    assert not [q for q in queries.captured_queries if "search_path" in q["sql"]]


def test_a_request_runs_in_its_company_schema(db, company_a, company_b):
    web_client(company_b.primary_domain).get("/accounts/login/")
    assert connection.schema_name == company_b.schema_name
    with schema_context(company_b.schema_name):
        assert not User.objects.filter(email=COMPANY_A.admin_email).exists()


def test_a_suspension_made_by_another_worker_is_seen_at_the_next_request(db, company_a, settings):
    import redis

    from master.companies.routing import _generation_key

    client = web_client(company_a.primary_domain)
    assert client.get("/accounts/login/").status_code == 200  # cached as active here
    Company.objects.filter(pk=company_a.pk).update(status="suspended")  # no signal: "elsewhere"
    assert client.get("/accounts/login/").status_code == 200  # this worker does not know yet
    redis.Redis.from_url(settings.REDIS_URL).incr(_generation_key())  # the other worker's signal
    assert client.get("/accounts/login/").status_code == 403
