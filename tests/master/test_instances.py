"""On-premise instances: registered by staff (admin and API, credentials shown once), their
heartbeats authenticated only by an Ed25519 signature (bad, replayed, stale or foreign ones
refused with 401, bad bodies with 400, never a 500), staleness, and `send_heartbeat` end to
end against a live daphne serving the master."""

import base64
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test.utils import override_settings
from django.utils import timezone

import triboka
from master.instances import services
from master.instances.models import Instance
from master.instances.tasks import instance_heartbeat
from master.licensing.files import keypair_generate, private_key_load
from master.licensing.models import License, LicenseType

from ..conftest import (
    COMPANY_A,
    STAFF_EMAIL,
    _database_url,
    _free_port,
    api_client,
    bearer,
    login_tokens,
    web_client,
)

ROOT = Path(__file__).resolve().parents[2]
HEARTBEAT = "/api/master/instances/heartbeat/"


@pytest.fixture
def vps_license(company_a) -> License:
    license = company_a.licenses.get()
    license.type = LicenseType.VPS
    license.save()
    return license


@pytest.fixture
def registered(db, vps_license) -> services.Credentials:
    return services.instance_register(name="Sucacao planta Quevedo", license=vps_license)


def _body(credentials, **changes) -> bytes:
    body = {
        "instance": str(credentials.instance.uid),
        "sent_at": timezone.now().isoformat(),
        "version": "0.5.0",
        "license": {"code": credentials.instance.license.code, "company": "alpha", "state": "active"},
        "health": {"healthy": True, "checks": {"database": {"ok": True, "detail": "ok", "ms": 1.0}}},
        **changes,
    }
    return json.dumps(body).encode()


def _post(root_host, body: bytes, private_key: str | None):
    headers = {}
    if private_key is not None:
        signature = private_key_load(private_key).sign(body)
        headers["HTTP_X_TRIBOKA_SIGNATURE"] = base64.b64encode(signature).decode()
    return api_client(root_host).post(HEARTBEAT, body, content_type="application/json", **headers)


# --- registration and the list ---------------------------------------------------------


def test_staff_register_an_instance_and_get_its_key_once(staff_api, vps_license):
    response = staff_api.post(
        "/api/master/instances/", {"name": "Planta Quevedo", "license": vps_license.code}, format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    instance = Instance.objects.get(uid=data["instance_id"])
    assert instance.registered_by == STAFF_EMAIL and instance.license == vps_license
    # the master keeps only the public half of the key it handed out
    public = base64.b64encode(private_key_load(data["private_key"]).public_key().public_bytes_raw()).decode()
    assert instance.public_key == public and data["private_key"] not in json.dumps(
        staff_api.get(f"/api/master/instances/{instance.pk}/").json()
    )
    listed = staff_api.get("/api/master/instances/").json()["results"]
    assert [(row["name"], row["is_stale"], row["heartbeat_state"], row["company"]) for row in listed] == [
        ("Planta Quevedo", True, "never", "alpha")
    ]


def test_registration_refuses_bad_input_with_field_errors(staff_api, vps_license, company_b, registered):
    saas = company_b.licenses.get()
    cases = [
        ({"name": "B", "license": saas.code}, "license"),  # a SaaS license runs on the platform
        ({"name": "B", "license": "TRB-0000-0000-0"}, "license"),
        ({"name": registered.instance.name, "license": vps_license.code}, "name"),
        ({"license": vps_license.code}, "name"),
    ]
    for payload, field in cases:
        response = staff_api.post("/api/master/instances/", payload, format="json")
        assert response.status_code == 400 and field in response.json(), (payload, response.content)
    assert Instance.objects.count() == 1


def test_company_users_cannot_see_or_register_instances(registered, company_a, root_host):
    """Master data: a company admin's token is refused on the root domain, and a company's
    site has no master API at all."""
    company_host = company_a.primary_domain
    admin = bearer(company_host, login_tokens(company_host, COMPANY_A.admin_email)["access"])
    assert admin.get("/api/master/instances/").status_code == 404
    on_root = bearer(root_host, login_tokens(company_host, COMPANY_A.admin_email)["access"])
    assert on_root.get("/api/master/instances/").status_code == 401
    assert api_client(root_host).post("/api/master/instances/", {"name": "x"}).status_code == 401
    assert api_client(root_host).get(f"/api/master/instances/{registered.instance.pk}/").status_code == 401


def test_staff_deactivate_an_instance_and_rename_it(staff_api, registered, root_host):
    url = f"/api/master/instances/{registered.instance.pk}/"
    response = staff_api.patch(url, {"is_active": False, "name": "Quevedo (cerrada)"}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert _post(root_host, _body(registered), registered.private_key).status_code == 401


# --- heartbeats ------------------------------------------------------------------------


def test_a_signed_heartbeat_is_recorded_and_the_instance_is_no_longer_stale(registered, root_host, staff_api):
    response = _post(root_host, _body(registered), registered.private_key)
    assert response.status_code == 200, response.content
    assert response.json()["instance"] == registered.instance.name
    instance = Instance.objects.get(pk=registered.instance.pk)
    assert (instance.reported_version, instance.reported_license_state, instance.reported_healthy) == (
        "0.5.0",
        "active",
        True,
    )
    assert instance.license_matches is True and instance.reported_health["database"]["ok"] is True
    row = staff_api.get(f"/api/master/instances/{instance.pk}/").json()
    assert (row["is_stale"], row["heartbeat_state"]) == (False, "healthy")


def test_an_instance_goes_stale_after_the_configured_minutes(registered, root_host, staff_api, settings):
    assert _post(root_host, _body(registered), registered.private_key).status_code == 200
    assert [row["name"] for row in staff_api.get("/api/master/instances/?stale=false").json()["results"]] == [
        registered.instance.name
    ]
    Instance.objects.filter(pk=registered.instance.pk).update(
        last_heartbeat_at=timezone.now() - timedelta(minutes=settings.INSTANCE_STALE_MINUTES + 1)
    )
    stale = staff_api.get("/api/master/instances/?stale=true").json()["results"]
    assert [(row["name"], row["is_stale"], row["heartbeat_state"]) for row in stale] == [
        (registered.instance.name, True, "stale")
    ]
    assert staff_api.get("/api/master/instances/?stale=false").json()["results"] == []


def test_an_unhealthy_or_mismatching_report_shows(registered, root_host, staff_api):
    body = _body(
        registered,
        health={"healthy": False, "checks": {"redis": {"ok": False, "detail": "ConnectionError"}}},
        license={"code": "TRB-OTHR-CODE-X", "state": "read_only"},
    )
    assert _post(root_host, body, registered.private_key).status_code == 200
    row = staff_api.get(f"/api/master/instances/{registered.instance.pk}/").json()
    assert (row["heartbeat_state"], row["license_matches"], row["reported_license_state"]) == (
        "unhealthy",
        False,
        "read_only",
    )


def test_bad_signatures_are_refused_with_401(registered, root_host, vps_license):
    body = _body(registered)
    other = services.instance_register(name="Otra planta", license=vps_license)
    assert _post(root_host, body, None).status_code == 401  # unsigned
    assert _post(root_host, body, keypair_generate()[0]).status_code == 401  # someone's key
    # another registered instance cannot speak for this one
    refused = _post(root_host, body, other.private_key)
    assert refused.status_code == 401 and refused.json()["code"] == "heartbeat_refused"
    # a signed body changed on the way
    signature = base64.b64encode(private_key_load(registered.private_key).sign(body)).decode()
    altered = body.replace(b'"healthy": true', b'"healthy": false')
    response = api_client(root_host).post(
        HEARTBEAT, altered, content_type="application/json", HTTP_X_TRIBOKA_SIGNATURE=signature
    )
    assert response.status_code == 401
    response = api_client(root_host).post(
        HEARTBEAT, body, content_type="application/json", HTTP_X_TRIBOKA_SIGNATURE="%%%not base64"
    )
    assert response.status_code == 401
    assert Instance.objects.get(pk=registered.instance.pk).last_heartbeat_at is None


def test_replayed_and_stale_heartbeats_are_refused(registered, root_host, settings):
    body = _body(registered)
    assert _post(root_host, body, registered.private_key).status_code == 200
    replay = _post(root_host, body, registered.private_key)
    assert replay.status_code == 401 and "no es más reciente" in replay.json()["detail"]
    old = timezone.now() - timedelta(seconds=settings.INSTANCE_HEARTBEAT_MAX_SKEW_SECONDS + 5)
    stale = _post(root_host, _body(registered, sent_at=old.isoformat()), registered.private_key)
    assert stale.status_code == 401 and "reloj" in stale.json()["detail"]
    ahead = timezone.now() + timedelta(seconds=settings.INSTANCE_HEARTBEAT_MAX_SKEW_SECONDS + 5)
    assert (
        _post(root_host, _body(registered, sent_at=ahead.isoformat()), registered.private_key).status_code
        == 401
    )
    assert _post(root_host, _body(registered), registered.private_key).status_code == 200  # a fresh one


def test_malformed_heartbeats_answer_400_with_the_field(registered, root_host):
    unknown = json.dumps({"instance": "6f1c1a52-0b7e-4a43-9c7e-0c4b7f0f7e11"}).encode()
    assert _post(root_host, unknown, registered.private_key).status_code == 401
    cases = [
        (b"not json", "detail"),
        (b"[1, 2]", "detail"),
        (json.dumps({"version": "1"}).encode(), "instance"),
        (json.dumps({"instance": "not-a-uuid"}).encode(), "instance"),
        (_body(registered, version=None), "version"),
        (_body(registered, sent_at="yesterday"), "sent_at"),
        (_body(registered, license={"code": "x", "state": "pirated"}), "license"),
        (_body(registered, health="fine"), "health"),
    ]
    for body, field in cases:
        response = _post(root_host, body, registered.private_key)
        assert response.status_code == 400, (body, response.content)
        assert field in response.json(), (body, response.json())
    assert (
        _post(root_host, b"x" * (services.MAX_HEARTBEAT_BYTES + 1), registered.private_key).status_code == 400
    )


def test_the_heartbeat_endpoint_is_on_the_root_domain_only(registered, company_a):
    response = _post(company_a.primary_domain, _body(registered), registered.private_key)
    assert response.status_code == 404


def test_a_new_key_replaces_the_old_at_once(registered, staff_api, root_host):
    response = staff_api.post(f"/api/master/instances/{registered.instance.pk}/rotate-key/")
    assert response.status_code == 200
    new_key = response.json()["private_key"]
    assert _post(root_host, _body(registered), registered.private_key).status_code == 401
    assert _post(root_host, _body(registered), new_key).status_code == 200


# --- the admin -------------------------------------------------------------------------


@pytest.fixture
def master(db, root_host):
    from ..conftest import PASSWORD

    client = web_client(root_host)
    response = client.post("/admin/login/?next=/admin/", {"username": STAFF_EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_the_admin_registers_an_instance_and_shows_its_key_once(master, vps_license):
    response = master.post(
        "/admin/instances/instance/add/", {"name": "Planta Machala", "license": vps_license.pk}, follow=True
    )
    assert response.status_code == 200
    instance = Instance.objects.get(name="Planta Machala")
    text = response.content.decode()
    assert f"TRIBOKA_INSTANCE_ID={instance.uid}" in text and "TRIBOKA_INSTANCE_KEY=" in text
    assert (
        "TRIBOKA_INSTANCE_KEY="
        not in master.get(f"/admin/instances/instance/{instance.pk}/change/").content.decode()
    )


def test_the_admin_refuses_a_saas_license_on_the_form(master, company_b):
    response = master.post(
        "/admin/instances/instance/add/", {"name": "X", "license": company_b.licenses.get().pk}
    )
    assert response.status_code == 200 and "license" in response.context["adminform"].form.errors
    assert not Instance.objects.exists()


def test_the_admin_list_shows_which_instances_are_stale(master, registered, vps_license, root_host):
    silent = services.instance_register(name="Planta silenciosa", license=vps_license)
    assert _post(root_host, _body(registered), registered.private_key).status_code == 200
    page = master.get("/admin/instances/instance/").content.decode()
    assert "En buen estado" in page and "Sin señales aún" in page
    Instance.objects.filter(pk=silent.instance.pk).update(
        last_heartbeat_at=timezone.now() - timedelta(days=1)
    )
    stale = master.get("/admin/instances/instance/", {"heartbeat": "stale"}).content.decode()
    assert "Planta silenciosa" in stale and registered.instance.name not in stale


# --- end to end: send_heartbeat against a live master ----------------------------------


@contextlib.contextmanager
def daphne_server(env: dict):
    """daphne on 127.0.0.1 with ``env``; yields its port."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "triboka.asgi:application"],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    pytest.fail("daphne did not start")
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


def server_env(**extra: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TRIBOKA_LICENSE", "TRIBOKA_INSTANCE", "TRIBOKA_MASTER"))
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "triboka.settings",
        "DJANGO_READ_DOT_ENV": "0",
        "CACHE_KEY_PREFIX": django_settings.CACHE_KEY_PREFIX,
        "DJANGO_PASSWORD_HASHERS": ",".join(django_settings.PASSWORD_HASHERS),
        "LOG_LEVEL": "WARNING",
        **extra,
    }


@pytest.fixture
def committed_instance(django_db_setup, django_db_blocker, tmp_path):
    """An instance of company A's on-premise license, committed for the live master to see,
    and the license file that installation runs."""
    private, public = keypair_generate()
    with django_db_blocker.unblock():
        license = License.objects.get(company__slug=COMPANY_A.slug)
        original_type = license.type
        license.type = LicenseType.VPS
        license.save()
        try:
            with override_settings(TRIBOKA_LICENSE_SIGNING_KEY=private):
                from django.core.management import call_command

                call_command("issue_license_file", COMPANY_A.slug, str(tmp_path / "license.json"))
            credentials = services.instance_register(name="Planta en vivo", license=license)
            yield credentials, tmp_path / "license.json", public
        finally:
            Instance.objects.filter(name="Planta en vivo").delete()
            license.type = original_type
            license.save()


def test_send_heartbeat_reaches_the_live_master(committed_instance, django_db_blocker, tmp_path):
    credentials, license_file, public = committed_instance
    with daphne_server(server_env(DATABASE_URL=_database_url())) as port:
        installation = server_env(
            DATABASE_URL=_database_url(),
            CELERY_TASK_ALWAYS_EAGER="1",
            MEDIA_ROOT=str(tmp_path / "media"),
            TRIBOKA_LICENSE_FILE=str(license_file),
            TRIBOKA_LICENSE_PUBLIC_KEY=public,
            TRIBOKA_MASTER_URL=f"http://localhost:{port}",
            **credentials.settings,
        )
        sent = subprocess.run(
            [sys.executable, "manage.py", "send_heartbeat"],
            cwd=ROOT,
            env=installation,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert sent.returncode == 0, sent.stderr
        assert "Heartbeat accepted" in sent.stdout and "Planta en vivo" in sent.stdout
        with django_db_blocker.unblock():
            instance = Instance.objects.get(pk=credentials.instance.pk)
            assert instance.reported_version == triboka.__version__
            assert instance.reported_license_code == credentials.instance.license.code
            assert instance.license_matches and instance.reported_license_state == "active"
            assert instance.reported_healthy is True and set(instance.reported_health) >= {
                "database",
                "storage",
            }
            assert not instance.is_stale()
        # the same installation with another instance's key is refused, and says so
        forged = {**installation, "TRIBOKA_INSTANCE_KEY": keypair_generate()[0]}
        refused = subprocess.run(
            [sys.executable, "manage.py", "send_heartbeat"],
            cwd=ROOT,
            env=forged,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert refused.returncode != 0 and "refused the heartbeat (401)" in refused.stderr
        # the periodic task, from this process
        with (
            override_settings(
                TRIBOKA_MASTER_URL=f"http://localhost:{port}",
                TRIBOKA_INSTANCE_ID=str(credentials.instance.uid),
                TRIBOKA_INSTANCE_KEY=credentials.private_key,
            ),
            django_db_blocker.unblock(),
        ):
            assert instance_heartbeat.delay().get().startswith("accepted by the master")
    with override_settings(TRIBOKA_MASTER_URL=""):
        assert instance_heartbeat.delay().get() == "TRIBOKA_MASTER_URL is not set"
