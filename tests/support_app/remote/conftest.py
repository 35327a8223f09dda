"""Remote access fixtures: a ticket of company A, its administrator's browser, and staff's
browser on the root domain."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from support.tickets.models import Ticket
from tests.conftest import COMPANY_A, COMPANY_B, STAFF_EMAIL, user_in, web_client
from triboka.accounts.models import User
from triboka.audit.models import AuditEvent


def make_ticket(company, requester, number: str) -> Ticket:
    now = timezone.now()
    return Ticket.objects.create(
        number=number,
        company=company,
        requester_user_id=requester.pk,
        requester_email=requester.email,
        requester_name=requester.get_full_name(),
        subject="El cierre de contratos no funciona",
        category="bug",
        first_response_due=now + timedelta(hours=4),
        resolution_due=now + timedelta(days=2),
    )


def company_client(company, email: str | None = None) -> Client:
    client = web_client(company.primary_domain)
    if email is not None:
        with tenant_context(company):
            client.force_login(User.objects.get(email=email))
    return client


def events(company, action: str) -> list[AuditEvent]:
    with schema_context(company.schema_name):
        return list(AuditEvent.objects.filter(action=action).order_by("pk"))


@pytest.fixture
def staff(db) -> User:
    return User.objects.get(email=STAFF_EMAIL)


@pytest.fixture
def staff_browser(staff, root_host) -> Client:
    client = web_client(root_host)
    with schema_context("public"):  # a request before may have left a company's schema active
        client.force_login(staff)
    return client


@pytest.fixture
def ticket_a(company_a) -> Ticket:
    return make_ticket(company_a, user_in(company_a, COMPANY_A.admin_email), "SUP-2026-900001")


@pytest.fixture
def ticket_b(company_b) -> Ticket:
    return make_ticket(company_b, user_in(company_b, COMPANY_B.admin_email), "SUP-2026-900002")


@pytest.fixture
def admin_a(company_a) -> Client:
    return company_client(company_a, COMPANY_A.admin_email)


def start_path(staff_browser: Client, grant) -> str:
    """Staff press "Open the company site": the path of the one-time link on the company's host."""
    response = staff_browser.get(f"/admin/support_remote/remoteaccessgrant/{grant.pk}/open/")
    assert response.status_code == 302, response.content[:300]
    location = urlsplit(response["Location"])
    assert location.hostname == grant.company.primary_domain
    return location.path


def support_session(company, staff_browser: Client, grant) -> Client:
    """A browser on the company's site in a support session for ``grant``."""
    client = company_client(company)
    response = client.get(start_path(staff_browser, grant))
    assert response.status_code == 302, response.content[:300]
    return client
