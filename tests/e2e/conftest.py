"""End-to-end tests: headless Chromium (Debian's chromium + chromium-driver, driven by
Selenium) against daphne serving the test database on 127.0.0.1, on a company subdomain
(`<slug>.localhost`, which Chromium resolves to the loopback address by itself).

The company and its demo data are committed (a browser reads them through another
process), and deleted again at the end. ``--screenshots`` saves each role's dashboard
under docs/screenshots/.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django_tenants.utils import tenant_context

from master.companies.models import Company
from master.companies.services import company_delete, company_provision

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
SLUG = "navegador"
PASSWORD = "Cacao-e2e-2026!"


def _browser_missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not shutil.which(path):
            return f"{path} is not installed (make test installs Debian's chromium and chromium-driver)"
    return None


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
def e2e_company(django_db_setup, django_db_blocker, tmp_path_factory):
    """A committed company with the demo data (users of every role, lots, contracts)."""
    from erp.demo import demo_erp_populate

    backups = override_settings(BACKUP_ROOT=tmp_path_factory.mktemp("e2e-backups"))
    with django_db_blocker.unblock(), backups:
        company = company_provision(
            name="Navegador Cacao",
            slug=SLUG,
            ruc="1700000779001",  # a RUC no other test company uses
            kind="exporter",
            license_type="saas",
            admin_email=f"admin@{SLUG}.ec",
            admin_password=PASSWORD,
        ).company
        with tenant_context(company):
            logins = dict(
                (role, email)
                for email, role in demo_erp_populate(
                    company=company, password=PASSWORD, email_domain=f"{SLUG}.ec"
                )
            )
        logins["admin"] = f"admin@{SLUG}.ec"
        connection.set_schema_to_public()
        yield company, logins
        company_delete(company=Company.objects.get(pk=company.pk), confirm_slug=SLUG)
        connection.set_schema_to_public()


@pytest.fixture(scope="session")
def live_site(e2e_company):
    """daphne on 127.0.0.1 serving the test database; yields the company's base URL."""
    if reason := _browser_missing():
        pytest.skip(reason)
    company, _logins = e2e_company
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
        cwd=ROOT,
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


@pytest.fixture
def browser(live_site):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        "--lang=es",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


@pytest.fixture
def screenshots(request):
    """Where to save screenshots when --screenshots is given, else None."""
    if not request.config.getoption("--screenshots"):
        return None
    folder = ROOT / "docs" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
