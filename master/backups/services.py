"""Per-company backups and their restores.

A backup is queued as a ``Backup`` row (by the daily job, ``manage.py backup_company``, the
master API or the admin action) and written by ``backups_run``, which takes a chunk of them:
one exported snapshot, the row counts and checksums of each schema read in it, one pg_dump
of all the chunk's schemas in that same snapshot, then one archive per company (see
archive.py) saved to the backup storage, and the company's retention applied.

``backup_restore`` reads such an archive back: into a staging schema first, checked table by
table against the manifest, then renamed into place in one transaction (with the company's
row, domain and license created when the company is not in this database), so a failed or
mismatching restore changes nothing.
"""

import itertools
import logging
import secrets
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, schema_exists, tenant_context

import triboka
from master.companies.models import Company, Domain, UserDirectoryEntry
from master.companies.pgdump import (
    connect,
    pg_dump_directory,
    pg_dump_version,
    pg_restore_schema_sql,
    psql_run,
)
from master.companies.routing import routing_cache_clear
from master.companies.services import company_cache_purge, directory_sync_user
from master.companies.template import schema_drop
from master.companies.validators import schema_name_for_slug
from master.licensing.models import LicenseType
from master.licensing.services import license_issue
from triboka.audit.models import AuditAction
from triboka.audit.services import audit_record

from .archive import (
    FORMAT,
    KIND,
    ArchiveError,
    archive_open,
    archive_write,
    facts_differences,
    quote_identifier,
    schema_facts,
    sha256_of,
    sql_lines_renamed,
    sql_write,
)
from .models import Backup, BackupKind, BackupStatus
from .storage import backup_storage, storage_files

logger = logging.getLogger(__name__)


def _noop(message: str) -> None:
    pass


# --- queueing --------------------------------------------------------------------------


def backup_request(*, company: Company, requested_by: str = "") -> Backup:
    """A backup of ``company`` to be written by ``backups_run``."""
    backup = Backup.objects.create(
        company=company,
        company_slug=company.slug,
        schema_name=company.schema_name,
        kind=BackupKind.MANUAL,
        requested_by=requested_by,
    )
    audit_record(action=AuditAction.BACKUP_REQUESTED, target=backup, company=company, platform=True)
    return backup


def backups_queue(*, companies, requested_by: str = "") -> list[Backup]:
    """Backups of these companies, written by workers once the caller's transaction commits."""
    from .tasks import backup_run

    backups = [backup_request(company=company, requested_by=requested_by) for company in companies]
    ids = [backup.pk for backup in backups]

    def send():
        for chunk in chunks(ids, settings.BACKUP_CHUNK_SIZE):
            try:
                backup_run.delay(chunk)
            except Exception as error:  # the broker is down: say so on the rows, not with a 500
                logger.exception("Could not queue backups %s", chunk)
                for backup in Backup.objects.filter(pk__in=chunk):
                    _failed(backup, _("Could not be queued: %(error)s") % {"error": error})

    transaction.on_commit(send)
    return backups


def daily_backups_request(*, day=None) -> list[int]:
    """Today's backup row of every active company (made once however often this runs);
    returns the ids of those still to be written."""
    day = day or timezone.localdate()
    pending = []
    for company in Company.objects.active().order_by("pk"):
        backup, _created = Backup.objects.get_or_create(
            company=company,
            day=day,
            kind=BackupKind.DAILY,
            defaults={"company_slug": company.slug, "schema_name": company.schema_name},
        )
        if backup.status not in (BackupStatus.DONE, BackupStatus.PRUNED):
            pending.append(backup.pk)
    return pending


def chunks(ids: list[int], size: int) -> list[list[int]]:
    size = max(1, size)
    return [ids[start : start + size] for start in range(0, len(ids), size)]


# --- writing ---------------------------------------------------------------------------


def backups_run(backup_ids: list[int], *, progress=_noop) -> list[Backup]:
    """Write the archives of these backups (a chunk); those already done are skipped, so a
    chunk handed out again after a lost worker finishes what is left."""
    backups = _claim(backup_ids)
    if not backups:
        return []
    storage = backup_storage()
    with tempfile.TemporaryDirectory(prefix="triboka-backup-") as work:
        work = Path(work)
        try:
            facts = _dump_in_one_snapshot(backups, work / "dump")
        except Exception as error:
            for backup in backups:
                _failed(backup, error)
            raise
        progress(f"dumped {len(backups)} schemas")
        for backup in backups:
            try:
                _archive_store(backup, facts=facts[backup.schema_name], work=work, storage=storage)
            except Exception as error:  # one company's failure does not stop the others
                logger.exception("Backup of %s failed", backup.company_slug)
                _failed(backup, error)
                continue
            progress(f"{backup.company_slug}: {backup.archive} ({backup.size} bytes)")
            retention_apply(company=backup.company, storage=storage)
    return backups


def _claim(backup_ids: list[int]) -> list[Backup]:
    """The backups to write now: not done, and not being written by a live worker (one that
    started less than the broker's visibility timeout ago; after it, the task is handed out
    again anyway, so its worker is taken for lost)."""
    lost_before = timezone.now() - timedelta(
        seconds=settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    )
    backups = list(
        Backup.objects.filter(pk__in=backup_ids)
        .exclude(status__in=[BackupStatus.DONE, BackupStatus.PRUNED])
        .exclude(status=BackupStatus.RUNNING, started_at__gt=lost_before)
        .select_related("company")
        .order_by("pk")
    )
    usable = []
    for backup in backups:
        if backup.company is None or not schema_exists(backup.schema_name):
            _failed(backup, _("The company no longer exists."))
            continue
        backup.status, backup.started_at, backup.error = BackupStatus.RUNNING, timezone.now(), ""
        backup.save(update_fields=["status", "started_at", "error"])
        usable.append(backup)
    return usable


def _failed(backup: Backup, error) -> None:
    backup.status, backup.error, backup.finished_at = BackupStatus.FAILED, str(error)[:4000], timezone.now()
    backup.save(update_fields=["status", "error", "finished_at"])
    audit_record(
        action=AuditAction.BACKUP_FAILED,
        target=backup,
        company=backup.company_slug,
        after={"error": backup.error},
        platform=True,
    )


def _dump_in_one_snapshot(backups: list[Backup], dump_dir: Path) -> dict[str, dict]:
    """Counts and checksums of each schema, and one pg_dump of them all, in the same
    snapshot: the manifest describes exactly the rows the dump holds.

    The snapshot's holder takes no locks; each schema's counts are read in a short
    transaction of its own on the exported snapshot, so their table locks are released
    schema by schema. pg_dump itself locks every table of the chunk until it ends: the
    shared lock table (max_locks_per_transaction x max_connections) bounds the chunk size.
    """
    from psycopg import sql

    schemas = [backup.schema_name for backup in backups]
    facts = {}
    with connect(autocommit=False) as holder, connect(autocommit=True) as reader:
        holder.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = holder.execute("SELECT pg_export_snapshot()").fetchone()[0]
        server_version = holder.execute("SHOW server_version").fetchone()[0]
        for schema in schemas:
            with reader.transaction(), reader.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
                facts[schema] = {**schema_facts(cursor, schema), "server_version": server_version}
        pg_dump_directory(schemas, dump_dir, snapshot=snapshot, jobs=settings.BACKUP_DUMP_JOBS)
        holder.rollback()
    for schema_facts_ in facts.values():
        schema_facts_["dump_dir"] = dump_dir
    return facts


def _archive_store(backup: Backup, *, facts: dict, work: Path, storage) -> None:
    company = backup.company
    if not facts["tables"]:  # deleted between the claim and the dump
        raise ArchiveError(_("The company's schema was gone when it was dumped."))
    sql = work / f"{backup.schema_name}.sql.gz"
    sql_entry = sql_write(pg_restore_schema_sql(facts["dump_dir"], backup.schema_name), sql)
    with schema_context(backup.schema_name):  # the company's files, as its storage names them
        media_names = list(storage_files(default_storage))
        tar = work / f"{backup.schema_name}.tar"
        manifest = archive_write(
            tar,
            manifest=_manifest(backup, company, facts, sql_entry),
            sql=sql,
            media_storage=default_storage,
            media_names=media_names,
        )
    name = f"{backup.schema_name}/{backup.company_slug}-{timezone.now():%Y%m%dT%H%M%SZ}-{backup.pk}.tar"
    if backup.archive and storage.exists(backup.archive):  # written before by a lost worker
        storage.delete(backup.archive)
    with tar.open("rb") as content:
        saved = storage.save(name, File(content, name=name))
    backup.archive, backup.size = saved, tar.stat().st_size
    backup.sha256 = sha256_of(tar)
    backup.rows = sum(table["rows"] for table in manifest["tables"].values())
    backup.files = len(manifest["media"])
    backup.status, backup.finished_at = BackupStatus.DONE, timezone.now()
    backup.save(update_fields=["archive", "size", "sha256", "rows", "files", "status", "finished_at"])
    audit_record(
        action=AuditAction.BACKUP_DONE,
        target=backup,
        company=backup.company_slug,
        after={field: getattr(backup, field) for field in ("archive", "size", "rows", "files")},
        platform=True,
    )
    sql.unlink()
    tar.unlink()


def _manifest(backup: Backup, company: Company, facts: dict, sql_entry: dict) -> dict:
    return {
        "kind": KIND,
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "backup_id": backup.pk,
        "app_version": triboka.__version__,
        "postgresql": {"server": facts["server_version"], "pg_dump": pg_dump_version()},
        "company": {
            "name": company.name,
            "slug": company.slug,
            "ruc": company.ruc,
            "kind": company.kind,
            "status": company.status,
            "schema_name": company.schema_name,
        },
        "domains": list(company.domains.order_by("-is_primary", "domain").values_list("domain", flat=True)),
        "licenses": [
            {
                **row,
                "starts_on": str(row["starts_on"]),
                "expires_on": row["expires_on"] and str(row["expires_on"]),
            }
            for row in company.licenses.values("code", "type", "starts_on", "expires_on")
        ],
        "migrations": facts["migrations"],
        "tables": facts["tables"],
        "sql": sql_entry,
    }


def retention_apply(*, company: Company, storage=None, now=None) -> int:
    """Remove the company's archives beyond the newest BACKUP_KEEP_COUNT or older than
    BACKUP_KEEP_DAYS; the newest is always kept. Returns how many were removed."""
    storage = storage or backup_storage()
    cutoff = (now or timezone.now()) - timedelta(days=settings.BACKUP_KEEP_DAYS)
    done = list(
        Backup.objects.filter(company=company, status=BackupStatus.DONE).order_by("-finished_at", "-pk")
    )
    removed = 0
    for position, backup in enumerate(done[1:], start=1):
        if position < settings.BACKUP_KEEP_COUNT and backup.finished_at >= cutoff:
            continue
        if backup.archive and storage.exists(backup.archive):
            storage.delete(backup.archive)
        backup.status = BackupStatus.PRUNED
        backup.save(update_fields=["status"])
        removed += 1
    return removed


# --- restoring -------------------------------------------------------------------------


class RestoreError(Exception):
    """A restore that cannot go ahead; nothing was changed."""


@dataclass
class RestoreResult:
    company: Company
    created: bool
    tables: int
    rows: int
    files: int
    migrated: bool
    warnings: list[str] = field(default_factory=list)


def backup_restore(
    *, source: str, as_slug: str | None = None, ruc: str | None = None, force: bool = False, progress=_noop
) -> RestoreResult:
    """Restore an archive (a local path, or a name in the backup storage) as the company it
    came from or, with ``as_slug``, as a new one; ``force`` replaces an existing company's
    data. Into an empty database, the public schema is migrated first."""
    _public_schema_ensure(progress)
    with tempfile.TemporaryDirectory(prefix="triboka-restore-") as work:
        work = Path(work)
        opened = archive_open(_archive_local(source, work), work / "unpacked")
        manifest = opened.manifest
        _migrations_check(manifest)
        slug = (as_slug or manifest["company"]["slug"]).strip()
        company, new_company = _restore_target(manifest, slug=slug, ruc=ruc, force=force)
        staging = f"restore_{secrets.token_hex(6)}"
        progress(f"restoring {manifest['company']['slug']} into a staging schema")
        try:
            _sql_restore(opened, staging)
            _restored_check(staging, manifest)
            progress("row counts and checksums match the manifest")
            files = _media_restore(opened, schema_name_for_slug(slug))
            company = _swap_into_place(staging, company=company, new_company=new_company, manifest=manifest)
        finally:
            with connection.cursor() as cursor:  # still there only when something failed
                cursor.execute(f"DROP SCHEMA IF EXISTS {quote_identifier(staging)} CASCADE")
    migrated = _migrate_if_behind(company, manifest, progress)
    _after_restore(company)
    result = RestoreResult(
        company=company,
        created=new_company is not None,
        tables=len(manifest["tables"]),
        rows=sum(table["rows"] for table in manifest["tables"].values()),
        files=files,
        migrated=migrated,
    )
    _restore_record(result, source=source, manifest=manifest, force=force)
    return result


def _restore_record(result: RestoreResult, *, source: str, manifest: dict, force: bool) -> None:
    """A restore replaces a company's schema, its own audit events included: the event is
    the platform's, in the public schema."""
    audit_record(
        action=AuditAction.RESTORE,
        target=result.company,
        company=result.company,
        after={
            "archive": source,
            "backed_up_company": manifest["company"]["slug"],
            "backed_up_at": manifest.get("created_at"),
            "new_company": result.created,
            "replaced_existing": force and not result.created,
            "rows": result.rows,
            "files": result.files,
            "migrated": result.migrated,
        },
        platform=True,
    )


def _public_schema_ensure(progress) -> None:
    """An empty database gets the public schema's tables first."""
    connection.set_schema_to_public()
    if Company._meta.db_table not in connection.introspection.table_names():
        progress("empty database: creating the public schema's tables")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)


def _archive_local(source: str, work: Path) -> Path:
    path = Path(source)
    if path.is_file():
        return path
    storage = backup_storage()
    if not storage.exists(source):
        raise RestoreError(f"No archive {source!r}: neither a file here nor a name in the backup storage.")
    local = work / "archive.tar"
    with storage.open(source, "rb") as remote, local.open("wb") as copy:
        for chunk in iter(lambda: remote.read(1024 * 1024), b""):
            copy.write(chunk)
    return local


def _migrations_check(manifest: dict) -> None:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted({tuple(row) for row in manifest["migrations"]} - known)
    if unknown:
        listed = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise RestoreError(
            f"The backup was made by a newer version of Triboka ({manifest.get('app_version')}): "
            f"this code does not know its migrations {listed}. Restore it with that version or newer."
        )


def _restore_target(manifest: dict, *, slug: str, ruc: str | None, force: bool):
    """The existing company to overwrite, or the unsaved new one to create."""
    schema = schema_name_for_slug(slug)
    company = Company.objects.filter(slug=slug).first()
    if company is not None or schema_exists(schema):
        if not force:
            raise RestoreError(
                f"The company {slug!r} already exists in this database; restoring would replace its "
                "data. Add --force to replace it, or --as NEW_SLUG to restore beside it."
            )
        if company is None:
            raise RestoreError(f"The schema {schema} exists without a company; remove it first.")
        return company, None
    source = manifest["company"]
    new_company = Company(
        name=source["name"],
        slug=slug,
        ruc=(ruc or source["ruc"]).strip(),
        kind=source["kind"],
        schema_name=schema,
    )
    try:
        new_company.full_clean(exclude=["schema_name"])
    except ValidationError as error:
        messages = "; ".join(f"{name}: {' '.join(texts)}" for name, texts in error.message_dict.items())
        hint = " Give the copy its own RUC with --ruc." if "ruc" in error.message_dict else ""
        raise RestoreError(f"The company cannot be created as {slug!r}: {messages}{hint}") from error
    return None, new_company


def _sql_restore(opened, staging: str) -> None:
    create = f"CREATE SCHEMA {quote_identifier(staging)};\n".encode()
    lines = sql_lines_renamed(opened.sql, opened.schema, staging)
    psql_run(itertools.chain([create], lines), description="Restoring the schema")


def _restored_check(staging: str, manifest: dict) -> None:
    with connection.cursor() as cursor:
        found = schema_facts(cursor, staging)["tables"]
    problems = facts_differences(manifest["tables"], found)
    if problems:
        raise RestoreError("The restored data does not match the backup: " + "; ".join(problems[:10]))


def _media_restore(opened, schema: str) -> int:
    count = 0
    with schema_context(schema):
        for name, path in opened.media():
            if default_storage.exists(name):
                default_storage.delete(name)
            with path.open("rb") as content:
                saved = default_storage.save(name, File(content, name=name))
            if saved != name:
                raise ArchiveError(f"The storage renamed {name} to {saved}.")
            count += 1
    return count


def _swap_into_place(staging: str, *, company, new_company, manifest) -> Company:
    """One transaction: the old schema goes (with --force), the staging schema takes its
    name, and a new company gets its row, primary domain and license."""
    connection.set_schema_to_public()
    try:
        with transaction.atomic():
            target = (company or new_company).schema_name
            if company is not None:
                schema_drop(target)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"ALTER SCHEMA {quote_identifier(staging)} RENAME TO {quote_identifier(target)}"
                )
            if new_company is not None:
                new_company.save()
                Domain.objects.create(domain=new_company.primary_domain, tenant=new_company, is_primary=True)
                license_type = next(iter(manifest["licenses"]), {}).get("type", LicenseType.SAAS)
                license_issue(company=new_company, license_type=license_type)
                company = new_company
    except IntegrityError as error:  # created meanwhile by someone else
        raise RestoreError(f"The company {new_company.slug!r} was created meanwhile: {error}") from error
    return company


def _migrate_if_behind(company: Company, manifest: dict, progress) -> bool:
    applied = {tuple(row) for row in manifest["migrations"]}
    if set(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()) <= applied:
        return False
    progress("the backup is older than this code: migrating the restored schema")
    call_command("migrate_schemas", schema_name=company.schema_name, interactive=False, verbosity=0)
    connection.set_schema_to_public()
    return True


def _after_restore(company: Company) -> None:
    """The directory lists the restored users; nothing cached of the old data survives."""
    from triboka.accounts.models import User

    company_cache_purge(company.schema_name)
    routing_cache_clear()
    UserDirectoryEntry.objects.filter(company=company).delete()
    with tenant_context(company):
        for user in User.objects.all():
            directory_sync_user(user=user)
    connection.set_schema_to_public()
