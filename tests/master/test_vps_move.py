"""The SaaS -> VPS move, end to end: a company of this database (the SaaS) is backed up and
given its license file; a second, freshly created PostgreSQL database (the VPS) imports it
with `import_company`, passes `check --database default`, and daphne started on it with
TRIBOKA_LICENSE_FILE serves the company: same logins and records, the file's modules."""

import json
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from erp.contracts.models import Contract
from erp.demo import demo_erp_populate
from master.backups import services as backups
from master.backups.models import Backup, BackupStatus
from master.backups.storage import backup_storage
from master.companies.services import company_suspend
from master.licensing.files import keypair_generate
from master.licensing.models import Module

from ..conftest import PASSWORD
from .test_instances import daphne_server, server_env

ROOT = Path(__file__).resolve().parents[2]
WITHOUT_LOTS = [module for module in Module.values if module != Module.LOTS]


@pytest.fixture
def saas_company(committed_company, django_db_blocker):
    """The committed company "epsilon" (a vps license) with the demo ERP, its license made
    what the customer bought: no lots, 10 users, a year."""
    with django_db_blocker.unblock():
        with tenant_context(committed_company):
            demo_erp_populate(company=committed_company, password=PASSWORD, email_domain="epsilon.test")
            contracts = Contract.objects.count()
        connection.set_schema_to_public()
        license = committed_company.licenses.get()
        license.modules, license.max_users = WITHOUT_LOTS, 10
        license.expires_on = timezone.localdate() + timedelta(days=365)
        license.save()
        yield committed_company, license, contracts
        Backup.objects.filter(company_slug="epsilon").delete()


@pytest.fixture
def vps_database():
    """A new, empty database on the same server: the VPS's."""
    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_vps"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    yield f"postgres://{settings_dict['USER'] or 'postgres'}@{host}:{port}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _request(port: int, host: str, path: str, *, data: dict | None = None, token: str | None = None):
    """(status, JSON) of a request to the VPS's daphne, for the company's host."""
    headers = {"Host": f"{host}:{port}", "Content-Type": "application/json", "Accept-Language": "en"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_company_moves_from_the_saas_to_a_vps_with_its_license_file(
    saas_company, django_db_blocker, vps_database, tmp_path, settings
):
    company, license, contracts = saas_company
    private, public = keypair_generate()
    settings.TRIBOKA_LICENSE_SIGNING_KEY = private
    license_file = tmp_path / "epsilon.license.json"
    from django.core.management import call_command

    with django_db_blocker.unblock():
        # on the SaaS: the license file; the company suspended (nothing written after the
        # archive), then the backup archive
        call_command("issue_license_file", "epsilon", str(license_file))
        company_suspend(company=company, reason="Moving to its own server")
        (backup,) = backups.backups_run([backups.backup_request(company=company).pk])
        assert backup.status == BackupStatus.DONE, backup.error
    archive = backup_storage().path(backup.archive)

    vps = server_env(
        DATABASE_URL=vps_database,
        MEDIA_ROOT=str(tmp_path / "vps-media"),
        BACKUP_ROOT=str(tmp_path / "vps-backups"),
        TRIBOKA_LICENSE_FILE=str(license_file),
        TRIBOKA_LICENSE_PUBLIC_KEY=public,
    )
    # the VPS refuses the archive of another company than its file's
    other_file = _other_company_file(license_file, private, tmp_path)
    wrong = _manage({**vps, "TRIBOKA_LICENSE_FILE": str(other_file)}, "import_company", archive)
    assert wrong.returncode != 0 and "the license file is for gamma" in wrong.stderr
    imported = _manage(vps, "import_company", archive)
    assert imported.returncode == 0, imported.stderr
    assert "empty database" in imported.stdout and f"license {license.code} from the file" in imported.stdout
    checked = _manage(vps, "check", "--database", "default")
    assert checked.returncode == 0, checked.stderr

    import psycopg

    with psycopg.connect(vps_database) as db, db.cursor() as cursor:
        cursor.execute("SELECT code, type, max_users FROM licensing_license")
        assert cursor.fetchall() == [(license.code, "vps", 10)]  # the file's, mirrored
        # the VPS's owner edits the row to grant lots: the signed file still decides
        cursor.execute("UPDATE licensing_license SET modules = %s::jsonb", [json.dumps(Module.values)])
    assert len(list((tmp_path / "vps-media" / "epsilon").rglob("*.pdf"))) == 4  # 3 documents, 1 evidence

    with daphne_server(vps) as port:
        host = company.primary_domain
        status, tokens = _request(
            port, host, "/api/v1/auth/login/", data={"email": "e@epsilon.test", "password": PASSWORD}
        )
        assert status == 200, tokens  # the same users, with their passwords
        status, listed = _request(port, host, "/api/v1/contracts/", token=tokens["access"])
        assert status == 200 and listed["count"] == contracts  # active there, suspended here
        status, refused = _request(port, host, "/api/v1/lots/", token=tokens["access"])
        assert status == 403 and refused["code"] == "module_not_licensed"  # the file's terms


def _other_company_file(license_file: Path, private: str, tmp_path: Path) -> Path:
    from .test_license_files import _resigned

    return _resigned(
        license_file,
        private,
        tmp_path / "gamma.json",
        company={"slug": "gamma", "name": "Gamma", "ruc": "1700000001001"},
    )
