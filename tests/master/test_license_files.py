"""On-premise license files: issued and signed on the master (issue_license_file), verified
offline at start-up (a subprocess per case: a bad file refuses to start with one clear line),
and enforced on the installation from the file, not from the license rows."""

import base64
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from master.companies.routing import routing_cache_clear
from master.licensing.files import (
    canonical_bytes,
    key_id,
    keypair_generate,
    license_file_read,
    license_for,
    private_key_load,
)
from master.licensing.models import LicenseType, Module

from ..conftest import COMPANY_A, _database_url, api_client, bearer, login_tokens

ROOT = Path(__file__).resolve().parents[2]
WITHOUT_CONTRACTS = [module for module in Module.values if module != Module.CONTRACTS]


@pytest.fixture
def keys(settings):
    private, public = keypair_generate()
    settings.TRIBOKA_LICENSE_SIGNING_KEY = private
    return private, public


@pytest.fixture
def vps_license(company_a):
    """Company A's license, made on-premise: no contracts, limits, a year to run."""
    license = company_a.licenses.get()
    license.type = LicenseType.VPS
    license.modules = WITHOUT_CONTRACTS
    license.max_users, license.max_storage_mb, license.max_api_calls_month = 7, 500, 10_000
    license.expires_on = timezone.localdate() + timedelta(days=365)
    license.save()
    return license


def _issue(tmp_path, name="license.json") -> Path:
    out = tmp_path / name
    call_command("issue_license_file", COMPANY_A.slug, str(out))
    return out


def _resigned(path: Path, private: str, out: Path, **changes) -> Path:
    """The file's payload with ``changes``, signed again (a file Triboka could have issued)."""
    document = json.loads(path.read_text())
    key = private_key_load(private)
    payload = {**document["payload"], "key_id": key_id(key.public_key()), **changes}
    signature = key.sign(canonical_bytes(payload))
    out.write_text(json.dumps({"payload": payload, "signature": base64.b64encode(signature).decode()}))
    return out


def _start(license_file, public_key, *args: str) -> subprocess.CompletedProcess:
    """An installation starting (`manage.py check`) with this license file."""
    env = {
        **os.environ,
        "DJANGO_READ_DOT_ENV": "0",
        "DATABASE_URL": _database_url(),
        "TRIBOKA_LICENSE_FILE": str(license_file),
        "TRIBOKA_LICENSE_PUBLIC_KEY": public_key,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _refusal(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0, result.stdout
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: Triboka cannot start: "), last
    return last


# --- issuing ---------------------------------------------------------------------------


def test_issue_license_file_writes_the_vps_license_signed_with_the_platform_key(vps_license, keys, tmp_path):
    private, public = keys
    out = _issue(tmp_path)
    document = json.loads(out.read_text())
    payload = document["payload"]
    assert payload["code"] == vps_license.code and payload["type"] == "vps"
    assert payload["company"] == {"slug": "alpha", "name": COMPANY_A.name, "ruc": COMPANY_A.ruc}
    assert payload["modules"] == sorted(WITHOUT_CONTRACTS)
    assert payload["limits"] == {
        "users": 7,
        "api_calls_month": 10_000,
        "storage_mb": 500,
        "iot_devices": None,
    }
    assert payload["expires_on"] == vps_license.expires_on.isoformat()
    # the signature covers the canonical payload, with the platform's key
    private_key_load(private).public_key().verify(
        base64.b64decode(document["signature"]), canonical_bytes(payload)
    )
    read = license_file_read(out, public)
    assert read.terms.modules == frozenset(WITHOUT_CONTRACTS) and read.terms.max_api_calls_month == 10_000


def test_only_an_active_unexpired_vps_license_gets_a_file(company_a, vps_license, keys, tmp_path):
    vps_license.type = LicenseType.SAAS
    vps_license.save()
    with pytest.raises(CommandError, match="type 'saas': only on-premise \\(vps\\) licenses get a file"):
        _issue(tmp_path)
    vps_license.type, vps_license.status = LicenseType.VPS, "suspended"
    vps_license.save()
    with pytest.raises(CommandError, match="is suspended"):
        _issue(tmp_path)
    vps_license.status, vps_license.expires_on = "active", timezone.localdate() - timedelta(days=1)
    vps_license.starts_on = timezone.localdate() - timedelta(days=30)
    vps_license.save()
    with pytest.raises(CommandError, match="expired on .*renew it first"):
        _issue(tmp_path)
    assert not (tmp_path / "license.json").exists()


def test_issuing_needs_the_signing_key_a_known_company_and_a_free_file(vps_license, settings, tmp_path):
    settings.TRIBOKA_LICENSE_SIGNING_KEY = ""
    with pytest.raises(CommandError, match="TRIBOKA_LICENSE_SIGNING_KEY is not set"):
        _issue(tmp_path)
    settings.TRIBOKA_LICENSE_SIGNING_KEY = "not a key"
    with pytest.raises(CommandError, match="not an Ed25519 private key"):
        _issue(tmp_path)
    settings.TRIBOKA_LICENSE_SIGNING_KEY = keypair_generate()[0]
    with pytest.raises(CommandError, match="No company with the subdomain 'nobody'"):
        call_command("issue_license_file", "nobody", str(tmp_path / "x.json"))
    _issue(tmp_path)
    with pytest.raises(CommandError, match="exists; add --force"):
        _issue(tmp_path)
    call_command("issue_license_file", COMPANY_A.slug, str(tmp_path / "license.json"), "--force")


def test_a_pem_key_pair_works_as_well_as_base64(vps_license, settings, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    settings.TRIBOKA_LICENSE_SIGNING_KEY = pem.replace("\n", "\\n")  # as an environment variable holds it
    assert license_file_read(_issue(tmp_path), public_pem.decode()).code == vps_license.code


# --- start-up --------------------------------------------------------------------------


def test_an_installation_starts_with_its_valid_file(vps_license, keys, tmp_path):
    result = _start(_issue(tmp_path), keys[1])
    assert result.returncode == 0, result.stderr


def test_an_altered_file_refuses_to_start(vps_license, keys, tmp_path):
    out = _issue(tmp_path)
    document = json.loads(out.read_text())
    document["payload"]["modules"].append(Module.CONTRACTS)  # granting oneself a module
    out.write_text(json.dumps(document))
    assert "has been altered since Triboka signed it" in _refusal(_start(out, keys[1]))


def test_a_file_signed_by_another_key_refuses_to_start(vps_license, keys, tmp_path):
    out = _issue(tmp_path)
    other_private, other_public = keypair_generate()
    forged = _resigned(out, other_private, tmp_path / "forged.json")
    assert "was signed by another key" in _refusal(_start(forged, keys[1]))
    # and the genuine file, on an installation that trusts another key
    assert "was signed by another key" in _refusal(_start(out, other_public))


def test_a_file_expired_past_the_grace_period_refuses_to_start(vps_license, keys, settings, tmp_path):
    today = timezone.localdate()
    expired = _resigned(
        _issue(tmp_path),
        keys[0],
        tmp_path / "expired.json",
        starts_on=(today - timedelta(days=400)).isoformat(),
        expires_on=(today - timedelta(days=settings.LICENSE_GRACE_DAYS + 1)).isoformat(),
    )
    line = _refusal(_start(expired, keys[1]))
    assert "expired on" in line and "grace period ended" in line and "renewed license file" in line


def test_a_file_within_the_grace_period_starts_read_only(vps_license, keys, tmp_path):
    """Like the enforcement: a restart in the grace period does not close the site early."""
    in_grace = _resigned(
        _issue(tmp_path),
        keys[0],
        tmp_path / "grace.json",
        starts_on=(timezone.localdate() - timedelta(days=30)).isoformat(),
        expires_on=(timezone.localdate() - timedelta(days=1)).isoformat(),
    )
    result = _start(in_grace, keys[1])
    assert result.returncode == 0, result.stderr
    assert "read-only until" in result.stderr


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", "cannot be read (No such file or directory)"),
        ("not json", "is not JSON"),
        ("no public key", "TRIBOKA_LICENSE_PUBLIC_KEY is not set"),
        ("bad public key", "TRIBOKA_LICENSE_PUBLIC_KEY is not an Ed25519 public key"),
        ("not yet", "starts on"),
    ],
)
def test_an_unusable_file_or_key_refuses_to_start(vps_license, keys, tmp_path, case, message):
    out, public = _issue(tmp_path), keys[1]
    if case == "missing":
        out = tmp_path / "nowhere.json"
    elif case == "not json":
        out.write_text("TRB license, trust me")
    elif case == "no public key":
        public = ""
    elif case == "bad public key":
        public = base64.b64encode(b"short").decode()
    elif case == "not yet":
        out = _resigned(
            out, keys[0], tmp_path / "later.json", starts_on=str(timezone.localdate() + timedelta(1))
        )
    assert message in _refusal(_start(out, public))


def test_the_database_check_names_a_company_not_in_this_database(vps_license, keys, tmp_path):
    other = _resigned(
        _issue(tmp_path),
        keys[0],
        tmp_path / "gamma.json",
        company={"slug": "gamma", "name": "Gamma", "ruc": "1700000001001"},
    )
    result = _start(other, keys[1], "--database", "default")
    assert result.returncode != 0
    assert (
        "licensing.E001" in result.stderr
        and "company gamma (RUC 1700000001001): not in this database" in result.stderr
    )
    ok = _start(_issue(tmp_path, "alpha.json"), keys[1], "--database", "default")  # alpha is committed here
    assert ok.returncode == 0, ok.stderr


# --- enforcement from the file ---------------------------------------------------------


def _install(settings, license_file: Path, public_key: str) -> None:
    """This process becomes an installation running ``license_file`` (as if started with it:
    routes cached before are forgotten)."""
    settings.TRIBOKA_LICENSE_FILE, settings.TRIBOKA_LICENSE_PUBLIC_KEY = str(license_file), public_key
    routing_cache_clear()


@pytest.fixture
def installed(vps_license, keys, settings, tmp_path):
    """This process as an installation running company A's file (no contracts)."""
    out = _issue(tmp_path)
    vps_license.modules = list(Module.values)  # the row says everything: the file must win
    vps_license.save()
    _install(settings, out, keys[1])
    return out


def test_the_installation_enforces_the_files_modules_not_the_rows(
    company_a, keys, vps_license, settings, tmp_path
):
    out = _issue(tmp_path)  # without contracts
    vps_license.modules = list(Module.values)
    vps_license.save()
    host = company_a.primary_domain
    api = bearer(host, login_tokens(host, COMPANY_A.admin_email)["access"])
    assert api.get("/api/v1/contracts/").status_code == 200  # on the SaaS, the row allows contracts
    _install(settings, out, keys[1])
    refused = api.get("/api/v1/contracts/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403 and refused.json()["code"] == "module_not_licensed"
    assert api.get("/api/v1/lots/").status_code == 200


def test_company_a_file_does_not_license_company_b(installed, company_b):
    refused = api_client(company_b.primary_domain).get("/api/v1/contracts/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403 and refused.json()["code"] == "no_license"


def test_an_expired_file_in_its_grace_period_makes_the_site_read_only(
    company_a, vps_license, keys, settings, tmp_path
):
    host = company_a.primary_domain
    api = bearer(host, login_tokens(host, COMPANY_A.admin_email)["access"])
    in_grace = _resigned(
        _issue(tmp_path),
        keys[0],
        tmp_path / "grace.json",
        starts_on=(timezone.localdate() - timedelta(days=30)).isoformat(),
        expires_on=(timezone.localdate() - timedelta(days=1)).isoformat(),
    )
    _install(settings, in_grace, keys[1])
    assert api.get("/api/v1/lots/").status_code == 200
    refused = api.post("/api/v1/calculator/", {"spot": "3000", "differentials": "100"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "license_read_only"


def test_the_files_limits_are_the_companys_license_limits(installed, company_a, company_b, vps_license):
    vps_license.max_users = None
    vps_license.save()  # the row says unlimited; the file says 7
    license = license_for(company_a)
    assert (license.max_users, license.max_storage_mb, license.code) == (7, 500, vps_license.code)
    assert license_for(company_b) is None
