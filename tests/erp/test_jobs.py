"""The periodic jobs: their schedules, and what each does in every company."""

from datetime import timedelta
from io import StringIO

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_tenants.utils import tenant_context

from erp.market.models import FobPrice
from erp.notifications.models import Notification
from triboka import jobs


def test_setup_periodic_tasks_is_idempotent(db):
    call_command("setup_periodic_tasks", stdout=StringIO())
    out = StringIO()
    call_command("setup_periodic_tasks", stdout=out)
    assert PeriodicTask.objects.filter(name__in=jobs.SCHEDULES).count() == len(jobs.SCHEDULES)
    assert out.getvalue().count("kept:") == len(jobs.SCHEDULES)
    task = PeriodicTask.objects.get(name="Purge old logs (monthly)")
    assert task.task == "triboka.jobs.purge_old_logs_everywhere" and task.crontab.day_of_month == "1"


def test_expired_sessions_go_in_every_company(erp_a, erp_b):
    for world in (erp_a, erp_b):
        with tenant_context(world.company):
            for expiry in (-1, 1):
                store = SessionStore()
                store.set_expiry(timedelta(days=expiry) if expiry > 0 else -60)
                store.create()
    jobs.purge_expired_everywhere.delay()  # inline in the tests; a worker runs it for real
    for world in (erp_a, erp_b):
        with tenant_context(world.company):
            assert Session.objects.filter(expire_date__lt=timezone.now()).count() == 0
            assert Session.objects.filter(expire_date__gt=timezone.now()).exists()


def test_old_read_notifications_go_new_and_unread_ones_stay(erp_a, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 30
    user = erp_a.users["center"]
    with tenant_context(erp_a.company):
        old = Notification.objects.create(user=user, kind="lot_rejected", title="viejo")
        Notification.objects.filter(pk=old.pk).update(read_at=timezone.now() - timedelta(days=31))
        unread = Notification.objects.create(user=user, kind="lot_rejected", title="sin leer")
    jobs.purge_old_logs_everywhere.delay()
    with tenant_context(erp_a.company):
        assert set(Notification.objects.values_list("pk", flat=True)) >= {unread.pk}
        assert not Notification.objects.filter(pk=old.pk).exists()


def test_fob_prices_sync_imports_the_configured_source_once(erp_a, settings, tmp_path):
    source = tmp_path / "fob.csv"
    source.write_text("year;month;price;source\n2026;9;6400,50;BCE\n2026;10;6480,15;BCE\n", encoding="utf-8")
    settings.FOB_PRICES_URL = str(source)
    for _ in range(2):
        assert jobs.fob_prices_sync.delay().get() == "imported"
    with tenant_context(erp_a.company):
        assert FobPrice.objects.filter(source="BCE").count() == 2
    settings.FOB_PRICES_URL = ""
    assert jobs.fob_prices_sync.delay().get() == "FOB_PRICES_URL is not set"


def test_a_worker_knows_every_scheduled_task():
    """What a worker process imports by itself (not what this test process happened to)."""
    import subprocess
    import sys

    script = "from triboka.celery import app; app.loader.import_default_modules(); print(' '.join(app.tasks))"
    known = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + script],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    for task, _fields in jobs.SCHEDULES.values():
        assert task in known
    assert "erp.notifications.tasks.notification_email_send" in known
