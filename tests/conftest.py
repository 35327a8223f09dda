"""Shared fixtures: companies A and B, created once per test session on the real
PostgreSQL, each with an administrator and a plain user; tests run in transactions."""

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

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
from master.platform.services import system_settings_cache_clear
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
    layers = settings.CHANNEL_LAYERS
    if "CONFIG" in layers["default"]:  # the live daphne derives the same prefix from CACHE_KEY_PREFIX
        layers = {
            "default": {
                **layers["default"],
                "CONFIG": {**layers["default"]["CONFIG"], "prefix": f"{prefix}:asgi"},
            }
        }
    from triboka.celery import app as celery_app

    celery_app.conf.task_always_eager = True  # tasks run inline; test_celery_tenancy runs a worker
    with override_settings(
        CELERY_TASK_ALWAYS_EAGER=True,
        CHANNEL_LAYERS=layers,
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
    with an empty routing cache and no cached system settings (rolled-back changes never
    reach the caches' signals)."""
    routing_cache_clear()
    system_settings_cache_clear()
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()
    routing_cache_clear()
    system_settings_cache_clear()


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


# --- a live site: daphne serving the test database, for browsers and websocket clients ---

LIVE_SLUG = "navegador"
LIVE_PASSWORD = "Cacao-e2e-2026!"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


@pytest.fixture(scope="session")
def live_company(django_db_setup, django_db_blocker, tmp_path_factory):
    """A committed company with the demo data (users of every role, lots, contracts)."""
    from erp.demo import demo_erp_populate

    backups = override_settings(BACKUP_ROOT=tmp_path_factory.mktemp("e2e-backups"))
    with django_db_blocker.unblock(), backups:
        company = company_provision(
            name="Navegador Cacao",
            slug=LIVE_SLUG,
            ruc="1700000779001",  # a RUC no other test company uses
            kind="exporter",
            license_type="saas",
            admin_email=f"admin@{LIVE_SLUG}.ec",
            admin_password=LIVE_PASSWORD,
        ).company
        with tenant_context(company):
            logins = dict(
                (role, email)
                for email, role in demo_erp_populate(
                    company=company, password=LIVE_PASSWORD, email_domain=f"{LIVE_SLUG}.ec"
                )
            )
        logins["admin"] = f"admin@{LIVE_SLUG}.ec"
        connection.set_schema_to_public()
        yield company, logins
        company_delete(company=Company.objects.get(pk=company.pk), confirm_slug=LIVE_SLUG)
        connection.set_schema_to_public()


@pytest.fixture(scope="session")
def daphne_site(live_company):
    """daphne on 127.0.0.1 serving the test database (real Redis channel layer); yields the
    live company's base URL."""
    company, _logins = live_company
    port = _free_port()
    env = {  # the test session's settings (tests/conftest.py), for the server process
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "triboka.settings",
        "DJANGO_READ_DOT_ENV": "0",
        "DJANGO_DEBUG": "1",  # static files through the finders, as in `make run`
        "DJANGO_PASSWORD_HASHERS": ",".join(settings.PASSWORD_HASHERS),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CACHE_KEY_PREFIX": settings.CACHE_KEY_PREFIX,
        "LOGIN_THROTTLE_RATE": settings.LOGIN_THROTTLE_RATE,
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "triboka.asgi:application"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if server.poll() is not None:
                pytest.fail("daphne exited before listening")
            time.sleep(0.2)
    yield f"http://{company.primary_domain}:{port}"
    server.terminate()
    server.wait(timeout=20)
