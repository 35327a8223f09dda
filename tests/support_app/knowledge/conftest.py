"""Knowledge base fixtures: articles written through the services, and clients of company
A's and B's users on their sites (session) and of staff on the root domain."""

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from support.knowledge.services import Editor, article_create
from tests.conftest import COMPANY_A, COMPANY_B, PASSWORD, STAFF_EMAIL, user_in

STAFF = Editor(user_id=1, name="Triboka Staff")


def make_article(**fields):
    defaults = {
        "title": "Un artículo",
        "slug": "un-articulo",
        "body": "Texto del artículo.",
        "category": "getting_started",
        "language": "es",
        "is_published": True,
    }
    return article_create(by=STAFF, **{**defaults, **fields})


def site_client(company, email: str) -> Client:
    """A browser-like client of ``email`` on the company's site, signed in."""
    client = Client(HTTP_HOST=company.primary_domain)
    user = user_in(company, email)
    with tenant_context(company):
        client.force_login(user)
    connection.set_schema_to_public()
    client.user = user
    return client


@pytest.fixture
def reader_a(company_a) -> Client:
    return site_client(company_a, COMPANY_A.user_email)


@pytest.fixture
def reader_b(company_b) -> Client:
    return site_client(company_b, COMPANY_B.user_email)


@pytest.fixture
def staff_web(db, root_host) -> Client:
    client = Client(HTTP_HOST=root_host)
    assert client.login(email=STAFF_EMAIL, password=PASSWORD)
    return client


@pytest.fixture
def fermentation(db):
    return make_article(
        title="Fermentación del cacao",
        slug="fermentacion",
        tags=["calidad"],
        body="Cuántos días fermentar el grano y cómo voltear la masa.",
        category="lots",
    )


@pytest.fixture
def draft(db):
    return make_article(title="Borrador interno", slug="borrador", is_published=False, body="Aún no.")
