"""Ticket fixtures: API clients of company A's admin and plain user, of company B's admin,
and of Triboka staff on the root domain; a ticket opened by A's plain user."""

import pytest
from django.test import Client
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from support.tickets import services
from tests.conftest import COMPANY_A, COMPANY_B, PASSWORD, STAFF_EMAIL, user_in
from triboka.accounts.models import User
from triboka.accounts.tokens import LoginSerializer

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def company_api(company, email: str) -> APIClient:
    client = APIClient(HTTP_HOST=company.primary_domain)
    with tenant_context(company):
        token = LoginSerializer.get_token(User.objects.get(email=email)).access_token
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def company_pages(company, email: str) -> Client:
    client = Client(HTTP_HOST=company.primary_domain)
    with tenant_context(company):
        client.force_login(User.objects.get(email=email))
    return client


@pytest.fixture
def a_user(company_a):
    return company_api(company_a, COMPANY_A.user_email)


@pytest.fixture
def a_admin(company_a):
    return company_api(company_a, COMPANY_A.admin_email)


@pytest.fixture
def b_admin(company_b):
    return company_api(company_b, COMPANY_B.admin_email)


@pytest.fixture
def staff_pages(db, root_host) -> Client:
    client = Client(HTTP_HOST=root_host)
    assert client.login(username=STAFF_EMAIL, password=PASSWORD)
    return client


@pytest.fixture
def staff_user(db):
    return User.objects.get(email=STAFF_EMAIL)


def open_ticket(company, email: str, **fields):
    requester = user_in(company, email)
    defaults = {
        "subject": "No puedo cerrar el contrato CT-2026-0001",
        "body": "Al pulsar «Cerrar» aparece un error.",
        "category": "bug",
        "priority": "normal",
    }
    return services.ticket_open(
        company=company, requester=services.Requester.of(requester), **{**defaults, **fields}
    )


@pytest.fixture
def a_ticket(company_a):
    return open_ticket(company_a, COMPANY_A.user_email)
