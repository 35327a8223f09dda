"""The periodic jobs, each fanned out over the active companies (every task runs in its
company's schema; see triboka/celery.py) and each safe to run twice.

- daily: a backup of every company (master/backups/tasks.py: in the public schema, in
  chunks of companies per pg_dump call).
- every minute: beat's heartbeat for /health (triboka/health.py); the API-consumption
  counters flushed from Redis (master/metering).
- every 5 minutes: webhook deliveries whose task was lost are queued again, old ones purged
  (master/webhooks); an on-premise installation's heartbeat to the master (master/instances;
  nothing where TRIBOKA_MASTER_URL is unset).
- hourly: each company's figures (storage, documents, contracts, lots) copied to the public
  schema for the master dashboard (master/analytics).
- daily: the billing run (master/billing: invoices 30 days ahead, reminders, overdue and void).
- hourly: expired sessions and expired JWT records are deleted in every company. Download
  links and invitation links are signed and expire by themselves: nothing is stored for them.
- monthly: old logs go (read notifications after NOTIFICATION_RETENTION_DAYS, document
  access records after ACCESS_LOG_RETENTION_DAYS); FOB reference prices are imported from
  FOB_PRICES_URL when it is set (the same importer as `import_fob_prices`, idempotent).

`python manage.py setup_periodic_tasks` puts the schedules into django-celery-beat.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from triboka.celery import app, fan_out

logger = logging.getLogger(__name__)


@app.task
def purge_expired_everywhere() -> int:
    return fan_out(purge_expired)


@app.task
def purge_expired() -> dict:
    from django.contrib.sessions.models import Session
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    now = timezone.now()
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    tokens, _ = OutstandingToken.objects.filter(expires_at__lt=now).delete()  # their blacklist rows go too
    return {"sessions": sessions, "tokens": tokens}


@app.task
def purge_old_logs_everywhere() -> int:
    return fan_out(purge_old_logs)


@app.task
def purge_old_logs() -> dict:
    from erp.documents.models import DocumentAccess
    from erp.notifications.models import Notification

    now = timezone.now()
    notes, _ = Notification.objects.filter(
        read_at__lt=now - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    ).delete()
    accesses, _ = DocumentAccess.objects.filter(
        at__lt=now - timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    ).delete()
    return {"notifications": notes, "document_accesses": accesses}


@app.task(bind=True, max_retries=3, default_retry_delay=3600)
def fob_prices_sync(self) -> str:
    """Import FOB_PRICES_URL into every active company (the importer is idempotent)."""
    if not settings.FOB_PRICES_URL:
        return "FOB_PRICES_URL is not set"
    try:
        call_command("import_fob_prices", settings.FOB_PRICES_URL, column_map=settings.FOB_PRICES_COLUMN_MAP)
    except Exception as error:  # the source is down or changed: try again later
        logger.warning("FOB price sync failed: %s", error)
        raise self.retry(exc=error) from error
    return "imported"


@app.task
def beat_tick() -> None:
    """Beat's heartbeat, run by a worker every minute; /health reads its age."""
    import time

    from triboka.health import beat_key
    from triboka.redis_client import redis_client

    client = redis_client()
    if client is not None:
        client.set(beat_key(), time.time(), ex=24 * 3600)


SCHEDULES = {
    # name: (task, crontab fields)
    "Heartbeat for /health (every minute)": ("triboka.jobs.beat_tick", {"minute": "*"}),
    "Back up every company (daily)": ("master.backups.tasks.backup_daily", {"minute": "37", "hour": "2"}),
    "Flush API consumption counters (every minute)": (
        "master.metering.tasks.metering_flush",
        {"minute": "*"},
    ),
    "Renew licenses, send reminders, expire the unpaid (daily)": (
        "master.billing.tasks.billing_daily",
        {"minute": "7", "hour": "6"},
    ),
    "Webhooks: requeue lost deliveries, purge old ones (every 5 minutes)": (
        "master.webhooks.tasks.webhooks_housekeeping",
        {"minute": "*/5"},
    ),
    "Heartbeat to the master (every 5 minutes, installations only)": (
        "master.instances.tasks.instance_heartbeat",
        {"minute": "*/5"},
    ),
    "Copy company figures for the dashboard (hourly)": (
        "master.analytics.tasks.company_facts_refresh_everywhere",
        {"minute": "47"},
    ),
    "Support: unanswered live chats become tickets (every minute)": (
        "support.livechat.tasks.chats_unanswered_to_tickets",
        {"minute": "*"},
    ),
    "Support: close tickets resolved longer ago than the reopen window (daily)": (
        "support.tickets.tasks.tickets_close_resolved",
        {"minute": "17", "hour": "3"},
    ),
    "Support: end remote accesses whose window is over (every 5 minutes)": (
        "support.remote.tasks.support_remote_expire_due",
        {"minute": "*/5"},
    ),
    "Purge expired sessions and tokens (hourly)": ("triboka.jobs.purge_expired_everywhere", {"minute": "7"}),
    "Purge old logs (monthly)": (
        "triboka.jobs.purge_old_logs_everywhere",
        {"minute": "17", "hour": "3", "day_of_month": "1"},
    ),
    "Sync FOB reference prices (monthly)": (
        "triboka.jobs.fob_prices_sync",
        {"minute": "27", "hour": "4", "day_of_month": "2"},
    ),
}
