"""Shared fixtures: companies A and B, created once per test session on the real
PostgreSQL, each with an administrator and a plain user; tests run in transactions."""

import os
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django_tenants.utils import schema_context, tenant_context
from rest_framework.test import APIClient

from master.companies.models import Company
from master.companies.routing import routing_cache_clear
from master.companies.services import company_delete, company_provision
from master.companies.template import template_ensure
from triboka.accounts.models import Role, User
from triboka.accounts.services import user_create
from triboka.redis_client import redis_client

PASSWORD = "Cacao-fino-2026!"


@dataclass(frozen=True)
class CompanySpec:
    slug: str
    name: str
    ruc: str
    kind: str
    plain_role: str

    @property
    def admin_email(self) -> str:
        return f"admin@{self.slug}.test"

    @property
    def user_email(self) -> str:
        return f"user@{self.slug}.test"


COMPANY_A = CompanySpec("alpha", "Alpha Cacao S.A.", "1793004504001", "exporter", Role.EXPORTER)
COMPANY_B = CompanySpec("beta", "Beta Acopio", "0912345675001", "center", Role.CENTER)
STAFF_EMAIL = "staff@triboka.test"


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory):
    """Only what the tests must change: Argon2 costs ~0.1 s a hash and the tests log in
    hundreds of times; static files are not collected, so no manifest; uploads go to a
    temporary folder (set once: django-tenants' storage caches its root)."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Keys of this run only, so two runs sharing the test Redis never touch each other's
    # throttles or routing generation.
    prefix = f"test{os.getpid()}"
    caches = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    with override_settings(
        PASSWORD_HASHERS=hashers,
        STORAGES=storages,
        LOGIN_THROTTLE_RATE="10000/min",
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
        CACHE_KEY_PREFIX=prefix,
        CACHES=caches,
    ):
        forget_cached_values()
        yield


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, _test_settings):
    """pytest-django's set-up, but for the default database always: pytest-django creates
    the test database only when a selected test asks for `db`, and the tests that commit on
    purpose (committed_company) do not. Then companies A and B, once per session."""
    from django.test.utils import setup_databases, teardown_databases

    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        databases = setup_databases(verbosity=verbosity, interactive=False, aliases={"default"})
        assert connection.settings_dict["NAME"].startswith("test_"), "not on the test database"
        template_ensure()
        User.objects.create_superuser(STAFF_EMAIL, PASSWORD, full_name="Triboka Staff")
        for spec in (COMPANY_A, COMPANY_B):
            company = company_provision(
                name=spec.name,
                slug=spec.slug,
                ruc=spec.ruc,
                kind=spec.kind,
                license_type="saas",
                admin_email=spec.admin_email,
                admin_password=PASSWORD,
            ).company
            with tenant_context(company):
                user_create(
                    email=spec.user_email,
                    role=spec.plain_role,
                    password=PASSWORD,
                    full_name=f"Plain user of {spec.name}",
                )
        connection.set_schema_to_public()
    yield
    with django_db_blocker.unblock():
        teardown_databases(databases, verbosity=verbosity)


@pytest.fixture(autouse=True)
def _back_to_public_schema():
    """Requests move the connection into a company's schema; every test starts in public
    with an empty routing cache (rolled-back changes never reach the cache's signals)."""
    routing_cache_clear()
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()
    routing_cache_clear()


@pytest.fixture
def company_a(db) -> Company:
    return Company.objects.get(slug=COMPANY_A.slug)


@pytest.fixture
def company_b(db) -> Company:
    return Company.objects.get(slug=COMPANY_B.slug)


@pytest.fixture
def root_host() -> str:
    return settings.BASE_DOMAIN


def forget_cached_values() -> None:
    """Drop this run's cache keys (throttle counters, cached values) from the test Redis."""
    client = redis_client()
    if client is None:
        cache.clear()
        return
    keys = list(client.scan_iter(match=f"*:{settings.CACHE_KEY_PREFIX}:*", count=1000))
    if keys:
        client.delete(*keys)


def user_in(company: Company, email: str) -> User:
    with schema_context(company.schema_name):
        return User.objects.get(email=email)


def web_client(host: str) -> Client:
    return Client(HTTP_HOST=host)


def api_client(host: str) -> APIClient:
    return APIClient(HTTP_HOST=host)


def login_tokens(host: str, email: str, password: str = PASSWORD) -> dict:
    response = api_client(host).post(
        "/api/v1/auth/login/", {"email": email, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def bearer(host: str, access: str) -> APIClient:
    client = api_client(host)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


@pytest.fixture
def committed_company(django_db_setup, django_db_blocker, settings, tmp_path):
    """A company outside the test transaction, for what reads the database from another
    connection (pg_dump of a final dump); deleted afterwards if the test did not."""
    settings.BACKUP_ROOT = tmp_path
    with django_db_blocker.unblock():
        company = company_provision(
            name="Epsilon",
            slug="epsilon",
            ruc="1700000001001",
            kind="other",
            license_type="vps",
            admin_email="e@epsilon.test",
            admin_password=PASSWORD,
        ).company
        yield company
        leftover = Company.objects.filter(slug="epsilon").first()
        if leftover is not None:
            company_delete(company=leftover, confirm_slug="epsilon")
        connection.set_schema_to_public()


@pytest.fixture
def staff_api(db, root_host) -> APIClient:
    return bearer(root_host, login_tokens(root_host, STAFF_EMAIL)["access"])


def pytest_addoption(parser):
    parser.addoption(
        "--screenshots", action="store_true", help="end-to-end tests save dashboards to docs/screenshots/"
    )
