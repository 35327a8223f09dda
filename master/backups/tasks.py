"""Backup jobs. They run in the public schema: pg_dump reaches every company's schema from
there, so these tasks are not fanned out per company like triboka.jobs."""

from django.conf import settings

from triboka.celery import app

from . import services


@app.task
def backup_daily() -> int:
    """Queue today's backup of every active company, in chunks; returns how many chunks."""
    pending = services.daily_backups_request()
    chunks = services.chunks(pending, settings.BACKUP_CHUNK_SIZE)
    for chunk in chunks:
        backup_run.delay(chunk)
    return len(chunks)


@app.task
def backup_run(backup_ids: list[int]) -> list[str]:
    """Write these backups (one pg_dump for the chunk); a rerun skips those already done."""
    return [f"{backup.company_slug}: {backup.status}" for backup in services.backups_run(backup_ids)]
