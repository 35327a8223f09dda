"""Per-company backups and restores on the real PostgreSQL (pg_dump, pg_restore, psql) with
committed data: backup_company, restore_company, the daily job, retention, the master API
and the admin action."""

import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists, tenant_context

from erp.demo import demo_erp_populate
from erp.partners.models import Partner
from master.backups import services, tasks
from master.backups.archive import schema_facts
from master.backups.models import Backup, BackupKind, BackupStatus
from master.backups.storage import backup_storage
from master.companies.models import Company, UserDirectoryEntry
from master.companies.services import company_delete
from triboka.accounts.models import User

from ..conftest import COMPANY_A, COMPANY_B, PASSWORD, api_client, bearer, login_tokens

COPY_RUC = "1700000001002"  # the original's RUC with another establishment number


@pytest.fixture
def company_with_data(committed_company, django_db_blocker):
    """The committed company "epsilon" with the demo ERP (partners, users, contracts, lots,
    documents with their PDF files)."""
    with django_db_blocker.unblock(), tenant_context(committed_company):
        demo_erp_populate(company=committed_company, password=PASSWORD, email_domain="epsilon.test")
    connection.set_schema_to_public()
    return committed_company


@pytest.fixture
def unblocked(django_db_blocker):
    with django_db_blocker.unblock():
        yield
        Backup.objects.all().delete()  # committed rows: the next test starts without any


@pytest.fixture
def copies(django_db_blocker):
    """Companies a test restores; deleted afterwards."""
    slugs = []
    yield slugs
    with django_db_blocker.unblock():
        for company in Company.objects.filter(slug__in=slugs):
            company_delete(company=company, confirm_slug=company.slug)
        connection.set_schema_to_public()


def _facts(schema: str) -> dict:
    with connection.cursor() as cursor:
        return schema_facts(cursor, schema)["tables"]


def _back_up(company) -> Backup:
    (backup,) = services.backups_run([services.backup_request(company=company).pk])
    assert backup.status == BackupStatus.DONE, backup.error
    return backup


def _archive_path(backup: Backup) -> Path:
    return Path(backup_storage().path(backup.archive))


def _manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


def test_a_backup_restored_under_a_new_name_matches_row_counts_and_checksums(
    company_with_data, unblocked, copies
):
    original = _facts("epsilon")
    backup = _back_up(company_with_data)
    assert backup.rows == sum(table["rows"] for table in original.values())
    assert backup.files == 4  # the demo's three contract documents and its plot's evidence
    copies.append("epsilon-copia")

    call_command("restore_company", str(_archive_path(backup)), "--as", "epsilon-copia", "--ruc", COPY_RUC)

    copy = Company.objects.get(slug="epsilon-copia")
    assert copy.schema_name == "epsilon_copia" and copy.ruc == COPY_RUC
    assert copy.domains.get().domain == copy.primary_domain and copy.licenses.get().type == "vps"
    assert _facts("epsilon_copia") == original  # every table: same rows, same checksum
    assert original["lots_lot"]["rows"] > 0 and original["documents_document"]["rows"] == 3
    # the copy's files are in its own folder and hold the same bytes
    with tenant_context(copy):
        from erp.documents.models import Document

        for document in Document.all_objects.all():
            with document.file.open("rb") as copied:
                with schema_context("epsilon"), document.file.storage.open(document.file.name) as source:
                    assert copied.read() == source.read()
    # the copy's users are listed in the directory, under the copy
    assert UserDirectoryEntry.objects.filter(company=copy).count() == original["accounts_user"]["rows"]


def test_the_next_insert_after_a_restore_works_and_the_copy_is_independent(
    company_with_data, unblocked, copies
):
    backup = _back_up(company_with_data)
    copies.append("epsilon-copia")
    services.backup_restore(source=str(_archive_path(backup)), as_slug="epsilon-copia", ruc=COPY_RUC)
    copy = Company.objects.get(slug="epsilon-copia")
    with tenant_context(copy):
        highest = Partner.all_objects.order_by("-pk").first().pk
    # through the API of the copy's own host, with a user restored from the backup
    host = copy.primary_domain
    admin = bearer(host, login_tokens(host, "e@epsilon.test")["access"])
    response = admin.post(
        "/api/v1/partners/",
        {"name": "Nuevo proveedor", "kind": "supplier", "tax_id": "1300129499001", "province": "13"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["id"] == highest + 1  # the sequence came back with the rows
    with tenant_context(company_with_data):
        assert not Partner.all_objects.filter(name="Nuevo proveedor").exists()
    # a token of the original company is not one of the copy
    original_token = login_tokens(company_with_data.primary_domain, "e@epsilon.test")["access"]
    assert bearer(host, original_token).get("/api/v1/partners/").status_code == 401


def test_the_manifest_describes_the_company_its_versions_and_every_member(company_with_data, unblocked):
    import triboka

    backup = _back_up(company_with_data)
    manifest = _manifest(_archive_path(backup))
    assert manifest["app_version"] == triboka.__version__
    assert manifest["company"]["slug"] == "epsilon" and manifest["domains"] == ["epsilon.localhost"]
    assert manifest["postgresql"]["server"].split()[0].split(".")[0] == str(connection.pg_version // 10000)
    assert ["lots", "0001_initial"] in manifest["migrations"]
    assert manifest["tables"] == _facts("epsilon")
    with tarfile.open(_archive_path(backup)) as tar:
        names = set(tar.getnames())
        sql = gzip.decompress(tar.extractfile("schema.sql.gz").read()).decode()
    assert {f"media/{entry['path']}" for entry in manifest["media"]} <= names
    assert {entry["path"].split("/")[0] for entry in manifest["media"]} == {"documents", "eudr"}
    # only this company: no other schema is named in its SQL
    assert '"epsilon".' in sql
    assert f'"{COMPANY_A.slug}".' not in sql and f'"{COMPANY_B.slug}".' not in sql


def test_a_restore_over_an_existing_company_needs_force_and_then_brings_back_the_backup(
    company_with_data, unblocked
):
    backup = _back_up(company_with_data)
    archive = str(_archive_path(backup))
    backed_up = _facts("epsilon")
    with tenant_context(company_with_data):
        Partner.objects.filter(kind="supplier").update(name="Changed after the backup")
        later = User.objects.create_user("later@epsilon.test", PASSWORD, role="admin")

    with pytest.raises(CommandError, match="already exists.*--force"):
        call_command("restore_company", archive)
    assert _facts("epsilon") != backed_up  # nothing was touched

    call_command("restore_company", archive, "--force")
    assert _facts("epsilon") == backed_up
    with tenant_context(company_with_data):
        assert not User.objects.filter(pk=later.pk).exists()
    assert not UserDirectoryEntry.objects.filter(email="later@epsilon.test").exists()
    assert Company.objects.filter(slug="epsilon").count() == 1


def _staging_schemas() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'restore\\_%'")
        return [row[0] for row in cursor.fetchall()]


def _rewrite(archive: Path, destination: Path, change) -> Path:
    """A copy of the archive with one member changed by ``change(name, bytes) -> bytes``."""
    with tarfile.open(archive) as source, tarfile.open(destination, "w") as target:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return destination


def test_a_damaged_or_mismatching_archive_is_refused_and_changes_nothing(
    company_with_data, unblocked, tmp_path, copies
):
    archive = _archive_path(_back_up(company_with_data))
    copies.append("epsilon-copia")

    def flip_a_file_byte(name, data):
        return data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("media/") else data

    damaged = _rewrite(archive, tmp_path / "damaged.tar", flip_a_file_byte)
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore_company", str(damaged), "--as", "epsilon-copia", "--ruc", COPY_RUC)

    def claim_one_lot_more(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["tables"]["lots_lot"]["rows"] += 1
        return json.dumps(manifest).encode()

    mismatching = _rewrite(archive, tmp_path / "mismatch.tar", claim_one_lot_more)
    with pytest.raises(CommandError, match="lots_lot: .* rows, the backup has"):
        call_command("restore_company", str(mismatching), "--as", "epsilon-copia", "--ruc", COPY_RUC)

    with pytest.raises(CommandError, match="not a readable backup archive"):
        (tmp_path / "junk.tar").write_bytes(b"not a tar at all")
        call_command("restore_company", str(tmp_path / "junk.tar"))

    assert not Company.objects.filter(slug="epsilon-copia").exists()
    assert not schema_exists("epsilon_copia") and _staging_schemas() == []


def test_a_backup_of_a_newer_version_is_refused(company_with_data, unblocked, tmp_path):
    archive = _archive_path(_back_up(company_with_data))

    def add_an_unknown_migration(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"].append(["lots", "9999_from_the_future"])
        return json.dumps(manifest).encode()

    newer = _rewrite(archive, tmp_path / "newer.tar", add_an_unknown_migration)
    with pytest.raises(CommandError, match="newer version.*lots.9999_from_the_future"):
        call_command("restore_company", str(newer), "--as", "epsilon-copia", "--ruc", COPY_RUC)


def test_a_copy_needs_its_own_ruc_and_a_free_subdomain(company_with_data, unblocked):
    archive = str(_archive_path(_back_up(company_with_data)))
    with pytest.raises(CommandError, match="ruc: .*--ruc"):
        call_command("restore_company", archive, "--as", "epsilon-copia")
    with pytest.raises(CommandError, match=f"{COMPANY_A.slug!r} already exists"):
        call_command("restore_company", archive, "--as", COMPANY_A.slug, "--ruc", COPY_RUC)
    with pytest.raises(CommandError, match="No archive"):
        call_command("restore_company", "epsilon/nothing-here.tar")


def test_a_restore_into_an_empty_database(company_with_data, unblocked, tmp_path):
    """Another database, as a new installation would have it: restore_company creates the
    public schema's tables, then the company, with the same rows and checksums."""
    archive = _archive_path(_back_up(company_with_data))
    original = _facts("epsilon")
    settings_dict = connection.settings_dict
    empty = f"{settings_dict['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{empty}"')
        cursor.execute(f'CREATE DATABASE "{empty}"')
    try:
        host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
        env = {
            **os.environ,
            "DJANGO_READ_DOT_ENV": "0",
            "DATABASE_URL": f"postgres://{settings_dict['USER'] or 'postgres'}@{host}:{port}/{empty}",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "BACKUP_ROOT": str(tmp_path / "backups"),
        }
        result = subprocess.run(
            [sys.executable, "manage.py", "restore_company", str(archive)],
            cwd=Path(__file__).resolve().parents[2],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert "empty database" in result.stdout and "matching the backup" in result.stdout
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as other, other.cursor() as cursor:
            cursor.execute("SELECT slug, schema_name FROM companies_company")
            assert cursor.fetchall() == [("epsilon", "epsilon")]
            assert schema_facts(cursor, "epsilon")["tables"] == original
        assert len(list((tmp_path / "media" / "epsilon").rglob("*.pdf"))) == 4  # 3 documents, 1 evidence
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)')


def test_running_a_chunk_again_skips_what_is_done_or_being_written(company_with_data, unblocked, settings):
    """A chunk handed out again after a lost worker writes nothing twice; one being written by
    a live worker is left to it; one whose worker was lost is written."""
    done, busy, lost = (services.backup_request(company=company_with_data) for _ in range(3))
    services.backups_run([done.pk])
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    Backup.objects.filter(pk=busy.pk).update(status=BackupStatus.RUNNING, started_at=timezone.now())
    Backup.objects.filter(pk=lost.pk).update(
        status=BackupStatus.RUNNING, started_at=timezone.now() - timedelta(seconds=timeout + 1)
    )
    assert [backup.pk for backup in services.backups_run([done.pk, busy.pk, lost.pk])] == [lost.pk]
    assert len(list(backup_storage().listdir("epsilon")[1])) == 2


def test_the_daily_job_backs_up_every_active_company_once_a_day_in_chunks(
    company_with_data, unblocked, settings
):
    settings.BACKUP_CHUNK_SIZE = 2
    active = Company.objects.active().count()
    assert tasks.backup_daily.delay().get() == -(-active // 2)  # chunks of 2, run inline here
    today = Backup.objects.filter(kind=BackupKind.DAILY, day=timezone.localdate())
    assert today.filter(status=BackupStatus.DONE).count() == active
    assert services.daily_backups_request() == []  # once a day, however often it runs
    for backup in today:
        manifest = _manifest(_archive_path(backup))
        assert manifest["company"]["schema_name"] == backup.schema_name
        assert manifest["tables"] == _facts(backup.schema_name)


def test_retention_keeps_the_newest_archives_by_count_and_age(company_with_data, unblocked, settings):
    settings.BACKUP_KEEP_COUNT, settings.BACKUP_KEEP_DAYS = 3, 10
    storage = backup_storage()
    now = timezone.now()
    ages = [0, 1, 2, 3, 20]  # days; the 4th is beyond the count, the 5th beyond both
    backups = []
    for age in ages:
        name = storage.save(f"epsilon/old-{age}.tar", io.BytesIO(b"x"))
        backups.append(
            Backup.objects.create(
                company=company_with_data,
                company_slug="epsilon",
                schema_name="epsilon",
                kind=BackupKind.MANUAL,
                status=BackupStatus.DONE,
                archive=name,
                finished_at=now - timedelta(days=age),
            )
        )
    assert services.retention_apply(company=company_with_data, now=now) == 2
    kept = [backup.refresh_from_db() or backup.status == BackupStatus.DONE for backup in backups]
    assert kept == [True, True, True, False, False]
    assert [storage.exists(backup.archive) for backup in backups] == kept
    # by age alone: the newest is kept even when it is old
    settings.BACKUP_KEEP_DAYS = 0
    assert services.retention_apply(company=company_with_data, now=now + timedelta(days=30)) == 2
    assert Backup.objects.filter(company=company_with_data, status=BackupStatus.DONE).get() == backups[0]


def test_staff_queue_a_backup_through_the_master_api(company_with_data, unblocked, root_host):
    staff = bearer(root_host, login_tokens(root_host, "staff@triboka.test")["access"])
    response = staff.post("/api/master/backups/", {"company": "epsilon"}, format="json")
    assert response.status_code == 202, response.content
    backup = Backup.objects.get(pk=response.json()["id"])  # written on commit (inline here)
    assert backup.status == BackupStatus.DONE and backup.requested_by == "staff@triboka.test"
    listed = staff.get("/api/master/backups/", {"company": "epsilon", "status": "done"}).json()
    assert [row["id"] for row in listed["results"]] == [backup.pk]
    assert staff.get(f"/api/master/backups/{backup.pk}/").json()["sha256"] == backup.sha256

    unknown = staff.post(
        "/api/master/backups/", {"company": "nadie"}, format="json", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert unknown.status_code == 400 and "nadie" in unknown.json()["company"][0]
    assert staff.post("/api/master/backups/", {}, format="json").status_code == 400


def test_company_users_reach_no_backups(company_with_data, unblocked, root_host):
    """Neither on their own host (the master API is not served there) nor on the root domain."""
    host = company_with_data.primary_domain
    admin = bearer(host, login_tokens(host, "e@epsilon.test")["access"])
    assert admin.get("/api/master/backups/").status_code == 404
    assert admin.post("/api/master/backups/", {"company": "epsilon"}, format="json").status_code == 404
    assert bearer(root_host, login_tokens(host, "e@epsilon.test")["access"]).get(
        "/api/master/backups/"
    ).status_code in (401, 403)
    assert api_client(root_host).get("/api/master/backups/").status_code in (401, 403)
    assert not Backup.objects.exists()


def test_the_admin_action_queues_backups_of_the_selected_companies(company_with_data, unblocked, root_host):
    from django.test import Client

    client = Client(HTTP_HOST=root_host)
    assert client.login(email="staff@triboka.test", password=PASSWORD)
    response = client.post(
        "/admin/companies/company/",
        {"action": "back_up_selected", "_selected_action": [company_with_data.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 copia de seguridad en cola" in response.content.decode()  # the staff user reads Spanish
    backup = Backup.objects.get(company=company_with_data)
    assert backup.status == BackupStatus.DONE and backup.requested_by == "staff@triboka.test"
    page = client.get("/admin/backups/backup/")
    assert page.status_code == 200 and "epsilon" in page.content.decode()


def test_with_the_broker_down_a_requested_backup_says_it_could_not_be_queued(
    company_with_data, unblocked, root_host, monkeypatch
):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.backup_run, "delay", broker_down)
    staff = bearer(root_host, login_tokens(root_host, "staff@triboka.test")["access"])
    response = staff.post(
        "/api/master/backups/", {"company": "epsilon"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 202 and response.json()["status"] == "failed"
    backup = Backup.objects.get(pk=response.json()["id"])
    assert backup.status == BackupStatus.FAILED and "Could not be queued" in backup.error
