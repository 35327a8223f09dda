"""Notification deliveries off the request path (tenant-aware: each runs in its company's
schema). Idempotent: a task that runs twice (a worker killed after sending, before
acknowledging) sends once, keyed by the id it was queued with."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import connection

from triboka.celery import app
from triboka.redis_client import redis_client

ONCE_SECONDS = 7 * 86400


def _once_key(key: str) -> str:
    return f"{settings.CACHE_KEY_PREFIX}:{connection.schema_name}:once:{key}"


def first_time(key: str) -> bool:
    """True the first time ``key`` is claimed (Redis SET NX); True as well without Redis:
    better a rare second e-mail than none."""
    client = redis_client()
    if client is None:
        return True
    try:
        return bool(client.set(_once_key(key), 1, nx=True, ex=ONCE_SECONDS))
    except Exception:
        return True


def forget(key: str) -> None:
    """Release a claim whose work failed, so the retry does it."""
    client = redis_client()
    if client is not None:
        try:
            client.delete(_once_key(key))
        except Exception:
            pass


@app.task(bind=True, max_retries=5, default_retry_delay=60)
def notification_email_send(self, user_id: int, title: str, body: str, url: str, key: str):
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not first_time(f"mail:{key}"):
        return
    try:
        send_mail(title, f"{body}\n\n{url}".strip(), None, [user.email])
    except Exception as error:
        forget(f"mail:{key}")
        raise self.retry(exc=error) from error
