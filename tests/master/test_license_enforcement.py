"""A company's license enforced on its requests: modules, API-only licenses, expiry with a
read-only grace period, suspension; from the cached route, without a query per request."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from master.licensing.models import Module
from triboka.accounts.models import User

from ..conftest import COMPANY_A, COMPANY_B, bearer, login_tokens, web_client


def _license(company, **changes):
    license = company.licenses.get()
    for field, value in changes.items():
        setattr(license, field, value)
    license.save()  # clears the route cache, as any license change does
    return license


def _api(company, email=None):
    host = company.primary_domain
    return bearer(host, login_tokens(host, email or COMPANY_A.admin_email)["access"])


def _page(company, email=COMPANY_A.admin_email):
    client = web_client(company.primary_domain)
    with tenant_context(company):
        client.force_login(User.objects.get(email=email))
    return client


def test_a_module_left_out_of_the_license_answers_403_naming_it(company_a, company_b):
    api = _api(company_a)
    _license(company_a, modules=[m for m in Module.values if m != Module.CONTRACTS])
    refused = api.get("/api/v1/contracts/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403
    assert refused.json()["code"] == "module_not_licensed" and "Contracts" in refused.json()["detail"]
    assert api.get("/api/v1/lots/").status_code == 200  # the others stay
    page = _page(company_a).get("/contracts/", HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 403 and "Contratos" in page.content.decode()
    # company B's license is its own
    assert _api(company_b, COMPANY_B.admin_email).get("/api/v1/contracts/").status_code == 200


@pytest.mark.parametrize(
    ("module", "path"),
    [
        (Module.LOTS, "/api/v1/lots/"),
        (Module.LOTS, "/lots/"),
        (Module.CHAT, "/api/v1/chats/"),
        (Module.DOCUMENTS, "/api/v1/documents/1/download/"),
        (Module.CALCULATOR, "/api/v1/calculator/history/"),
        (Module.CALCULATOR, "/calculator/"),
        (Module.DEMAND, "/api/v1/fob-prices/"),
        (Module.DEMAND, "/demand/"),
    ],
)
def test_each_modules_pages_and_endpoints_are_gated(company_a, module, path):
    client = _page(company_a)
    _license(company_a, modules=[m for m in Module.values if m != module])
    response = client.get(path)
    assert response.status_code == 403, path
    assert client.get("/").status_code == 200  # the dashboard belongs to no module


def test_an_api_license_serves_the_api_and_refuses_the_pages(company_a):
    api, client = _api(company_a), _page(company_a)
    _license(company_a, type="api")
    assert api.get("/api/v1/contracts/").status_code == 200
    refused = client.get("/contracts/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403 and "API only" in refused.content.decode()
    assert web_client(company_a.primary_domain).get("/accounts/login/").status_code == 200  # signing in works


def test_an_expired_license_is_read_only_for_the_grace_period_then_closed(company_a, settings):
    settings.LICENSE_GRACE_DAYS = 10
    api = _api(company_a)
    today = timezone.localdate()
    _license(company_a, starts_on=today - timedelta(days=100), expires_on=today - timedelta(days=3))
    assert api.get("/api/v1/partners/").status_code == 200
    refused = api.post(
        "/api/v1/partners/", {"name": "X", "kind": "supplier"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "license_read_only"
    assert "read-only until" in refused.json()["detail"]
    login = login_tokens(company_a.primary_domain, COMPANY_A.admin_email)  # signing in still works
    assert login["access"]

    _license(company_a, expires_on=today - timedelta(days=11))
    closed = api.get("/api/v1/partners/", HTTP_ACCEPT_LANGUAGE="en")
    assert closed.status_code == 403 and closed.json()["code"] == "license_expired"
    assert web_client(company_a.primary_domain).get("/accounts/login/").status_code == 403  # closed to all


def test_a_suspended_license_closes_the_site(company_a):
    api = _api(company_a)
    _license(company_a, status="suspended")
    response = api.get("/api/v1/me/")
    assert response.status_code == 403 and response.json()["code"] == "license_suspended"


def test_enforcement_reads_no_database_once_the_route_is_cached(company_a):
    api = _api(company_a)
    _license(company_a, modules=[Module.LOTS])
    api.get("/api/v1/contracts/")  # the route (and the license) cached
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/contracts/").status_code == 403
    assert len(queries) == 0


def test_the_pages_show_only_what_the_license_covers(company_a):
    from erp.contracts.models import Contract
    from erp.contracts.services import contract_create
    from erp.partners.services import partner_create

    with tenant_context(company_a):
        exporter = partner_create(name="Exportadora", kind="exporter", tax_id="0992000015001", province="09")
        center = partner_create(name="Centro", kind="center", tax_id="1300129499001", province="13")
        contract = contract_create(
            user=User.objects.get(email=COMPANY_A.admin_email),
            exporter=exporter,
            counterparty=center,
            volume_tm=10,
            signed_on=timezone.localdate(),
            delivery_from=timezone.localdate(),
            delivery_to=timezone.localdate() + timedelta(days=30),
            price_type="fixed",
            price_usd_per_tm=6500,
        )
        assert Contract.objects.filter(pk=contract.pk).exists()
    client = _page(company_a)
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert 'id="chat"' in page and 'href="/lots/"' in page
    _license(company_a, modules=[Module.CONTRACTS, Module.DOCUMENTS])
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert 'id="chat"' not in page and 'href="/lots/"' not in page and 'href="/calculator/"' not in page
    assert 'aria-labelledby="documents-title"' in page
