"""System settings: defaults from the environment, the admin's single change page, the
master API, and the cache every process and every schema shares."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context, tenant_context

from master.licensing.models import License
from master.platform import services
from master.platform.models import SystemSettings
from master.platform.services import system_settings, system_settings_update
from tests.conftest import (
    COMPANY_A,
    PASSWORD,
    STAFF_EMAIL,
    _database_url,
    api_client,
    bearer,
    login_tokens,
    web_client,
)
from triboka.redis_client import redis_client

URL = "/api/master/settings/"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _forget_cached_settings():
    """The cache outlives each test's rolled-back transaction: start and end without it."""
    services.system_settings_cache_clear()
    yield
    services.system_settings_cache_clear()


@pytest.fixture
def master(db, root_host):
    client = web_client(root_host)
    response = client.post("/admin/login/?next=/admin/", {"username": STAFF_EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    return client


def shared_key() -> str:
    return f"public:{django_settings.CACHE_KEY_PREFIX}:1:{services.CACHE_KEY}"


def test_until_saved_the_settings_follow_the_environment_and_reading_writes_nothing(db, settings):
    settings.LICENSE_GRACE_DAYS = 7
    settings.BASE_DOMAIN = "cacao.example"
    values = system_settings()
    assert values.license_grace_days == 7 and values.base_domain == "cacao.example"
    assert values.support_email == "soporte@cacao.example"
    assert values.default_license_limits == {
        "max_users": None,
        "max_api_calls_month": None,
        "max_storage_mb": None,
        "max_iot_devices": None,
    }
    assert values.upstream == "127.0.0.1:8000" and values.tls_certificate_dir == "/etc/letsencrypt/live"
    assert not SystemSettings.objects.exists()


def test_default_license_limits_are_named_like_the_license_fields(db):
    system_settings_update(default_max_users=5, default_max_storage_mb=2048)
    limits = system_settings().default_license_limits
    assert limits["max_users"] == 5 and limits["max_storage_mb"] == 2048 and limits["max_iot_devices"] is None
    assert set(limits) <= {field.name for field in License._meta.get_fields()}


def test_there_is_only_ever_one_row(db):
    services.system_settings_row()
    with pytest.raises(IntegrityError), transaction.atomic():
        SystemSettings.objects.create(pk=2)
    assert SystemSettings.objects.count() == 1


def test_staff_read_and_edit_the_settings_through_the_master_api(staff_api):
    shown = staff_api.get(URL)
    assert shown.status_code == 200, shown.content
    assert shown.json()["base_domain"] == django_settings.BASE_DOMAIN
    assert shown.json()["license_grace_days"] == django_settings.LICENSE_GRACE_DAYS
    changed = staff_api.patch(
        URL,
        {"support_email": "ayuda@triboka.com", "default_max_users": 10, "license_grace_days": 30},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["default_max_users"] == 10 and changed.json()["default_max_api_calls_month"] is None
    values = system_settings()
    assert values.support_email == "ayuda@triboka.com" and values.license_grace_days == 30
    replaced = staff_api.put(
        URL, {**changed.json(), "default_max_users": None, "upstream": "unix:/run/d.sock"}, format="json"
    )
    assert replaced.status_code == 200, replaced.content
    assert system_settings().default_max_users is None and system_settings().upstream == "unix:/run/d.sock"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("base_domain", "Triboka.com"),
        ("base_domain", "tri boka.com"),
        ("base_domain", "triboka.com; include /etc/passwd"),
        ("base_domain", "-triboka.com"),
        ("support_email", "not-an-address"),
        ("license_grace_days", 366),
        ("license_grace_days", -1),
        ("default_max_users", -1),
        ("tls_certificate_dir", "relative/certs"),
        ("tls_certificate_dir", "/etc/letsencrypt/live;"),
        ("acme_webroot", "/var/www/../etc"),
        ("upstream", "127.0.0.1"),
        ("upstream", "127.0.0.1:99999"),
        ("upstream", "http://127.0.0.1:8000"),
    ],
)
def test_bad_values_answer_400_on_the_field_and_change_nothing(staff_api, field, value):
    before = staff_api.get(URL).json()
    response = staff_api.patch(URL, {field: value}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json() and response.json()["detail"]
    assert staff_api.get(URL).json() == before
    assert getattr(system_settings(), field) == before[field]


def test_the_service_refuses_fields_it_does_not_know(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        system_settings_update(updated_at=None)
    assert "updated_at" in refused.value.message_dict


def test_company_users_can_neither_read_nor_change_the_settings(db, company_a, root_host):
    admin_a = login_tokens(company_a.primary_domain, COMPANY_A.admin_email)["access"]
    on_company_site = bearer(company_a.primary_domain, admin_a)
    assert on_company_site.get(URL).status_code == 404
    assert on_company_site.patch(URL, {"support_email": "x@alpha.test"}, format="json").status_code == 404
    on_root = bearer(root_host, admin_a)  # the token belongs to company A's site only
    assert on_root.get(URL).status_code in (401, 403)
    assert on_root.patch(URL, {"support_email": "x@alpha.test"}, format="json").status_code in (401, 403)
    assert api_client(root_host).get(URL).status_code in (401, 403)
    company_admin = web_client(company_a.primary_domain)
    signed_in = company_admin.post(
        "/accounts/login/", {"username": COMPANY_A.admin_email, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert company_admin.get("/admin/").status_code == 200  # its own company admin...
    assert company_admin.get("/admin/platform/systemsettings/").status_code == 404  # ...without these
    assert b"systemsettings" not in company_admin.get("/admin/").content
    assert system_settings().support_email == f"soporte@{django_settings.BASE_DOMAIN}"


def test_the_admin_list_goes_straight_to_the_single_row_which_cannot_be_added_or_deleted(master):
    response = master.get("/admin/platform/systemsettings/")
    assert response.status_code == 302 and response["Location"] == "/admin/platform/systemsettings/1/change/"
    page = master.get(response["Location"])
    assert page.status_code == 200 and b"license_grace_days" in page.content
    assert b"deletelink" not in page.content
    assert master.get("/admin/platform/systemsettings/add/").status_code == 403
    assert master.get("/admin/platform/systemsettings/1/delete/").status_code == 403


def admin_form(**changes) -> dict:
    row = services.system_settings_row()
    form = {field: getattr(row, field) for field in services.EDITABLE_FIELDS}
    form = {field: "" if value is None else value for field, value in form.items()}
    return {**form, **changes}


def test_saving_in_the_admin_takes_effect_at_once(master):
    system_settings()  # cached before the change
    response = master.post(
        "/admin/platform/systemsettings/1/change/",
        admin_form(support_email="soporte@triboka.com", default_max_iot_devices="25"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    values = system_settings()
    assert values.support_email == "soporte@triboka.com" and values.default_max_iot_devices == 25
    from triboka.audit.models import AuditEvent  # a staff change is in the audit log, before and after

    event = AuditEvent.objects.filter(object_type="platform.systemsettings").latest("pk")
    assert event.after["support_email"] == "soporte@triboka.com"
    assert event.before["support_email"] != "soporte@triboka.com"


def test_the_admin_form_shows_field_errors_and_saves_nothing(master):
    response = master.post(
        "/admin/platform/systemsettings/1/change/",
        admin_form(base_domain="bad domain", upstream="nowhere", license_grace_days="900"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"base_domain", "upstream", "license_grace_days"} <= set(errors)
    assert SystemSettings.objects.get().base_domain == django_settings.BASE_DOMAIN


def test_settings_read_in_a_company_schema_are_cached_once_for_every_schema(company_a, company_b):
    system_settings_update(support_email="ayuda@triboka.com")
    with tenant_context(company_a):
        assert system_settings().support_email == "ayuda@triboka.com"
    client = redis_client()
    assert client.exists(shared_key())
    assert not client.exists(f"alpha:{django_settings.CACHE_KEY_PREFIX}:1:{services.CACHE_KEY}")
    services._memo.update(values=None, until=0.0)  # as a process that has not read them yet
    with tenant_context(company_b), CaptureQueriesContext(connection) as queries:
        assert system_settings().support_email == "ayuda@triboka.com"
    assert len(queries) == 0  # from the shared cache, not the database


def test_a_save_clears_the_shared_cache_so_every_process_reads_the_new_values(db):
    system_settings_update(support_email="uno@triboka.com")
    assert system_settings().support_email == "uno@triboka.com"
    # A write that bypasses the service and its signal is not seen: the values come from
    # the memo, and for a process without one, from the shared cache.
    SystemSettings.objects.update(support_email="dos@triboka.com")
    services._memo.update(values=None, until=0.0)
    assert system_settings().support_email == "uno@triboka.com"
    system_settings_update(support_email="tres@triboka.com")
    assert not redis_client().exists(shared_key())
    assert system_settings().support_email == "tres@triboka.com"


def test_another_process_in_a_company_schema_reads_what_was_cached_and_sees_the_save(django_db_setup, db):
    """A real second process on the same Redis: it gets the values from the shared cache
    while the row is still uncommitted here, and the committed state once a save cleared it."""

    def read_in_other_process() -> str:
        script = (
            "import django; django.setup()\n"
            "from django_tenants.utils import schema_context\n"
            "from master.platform.services import system_settings\n"
            "with schema_context('beta'):\n"
            "    print(system_settings().support_email)\n"
        )
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "DJANGO_SETTINGS_MODULE": "triboka.settings",
            "DJANGO_READ_DOT_ENV": "0",
            "CACHE_KEY_PREFIX": django_settings.CACHE_KEY_PREFIX,
            "LOG_LEVEL": "ERROR",
        }
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    system_settings_update(support_email="cache@triboka.com")  # not committed: invisible elsewhere
    system_settings()
    assert read_in_other_process() == "cache@triboka.com"
    system_settings_update(support_email="otra@triboka.com")
    # The cache entry is gone; the other process reads the database, where nothing was
    # committed (this test's transaction): the defaults.
    assert read_in_other_process() == f"soporte@{django_settings.BASE_DOMAIN}"


def test_without_redis_the_settings_come_from_the_database(db, settings):
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    system_settings_update(support_email="sin-redis@triboka.com")
    assert system_settings().support_email == "sin-redis@triboka.com"
    with schema_context("alpha"):
        assert system_settings(fresh=True).license_grace_days == django_settings.LICENSE_GRACE_DAYS
