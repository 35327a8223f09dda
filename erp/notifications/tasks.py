"""Notification deliveries off the request path (tenant-aware: each runs in its company's
schema). Idempotent: each queued delivery has a key; a task that runs again (late
acknowledgement: a worker killed before it acknowledged) finds the key done and does
nothing. The mark is set after the work, so a worker killed in between repeats the work
rather than losing it."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import connection

from triboka.celery import app
from triboka.redis_client import redis_client

ONCE_SECONDS = 7 * 86400


def _once_key(key: str) -> str:
    return f"{settings.CACHE_KEY_PREFIX}:{connection.schema_name}:once:{key}"


def already_done(key: str) -> bool:
    client = redis_client()
    if client is None:
        return False
    try:
        return bool(client.exists(_once_key(key)))
    except Exception:  # Redis down: better a rare second e-mail than none
        return False


def mark_done(key: str) -> None:
    client = redis_client()
    if client is not None:
        try:
            client.set(_once_key(key), 1, ex=ONCE_SECONDS)
        except Exception:
            pass


@app.task(bind=True, max_retries=5, default_retry_delay=60)
def notification_email_send(self, user_id: int, title: str, body: str, url: str, key: str):
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or already_done(f"mail:{key}"):
        return
    try:
        send_mail(title, f"{body}\n\n{url}".strip(), None, [user.email])
    except Exception as error:
        raise self.retry(exc=error) from error
    mark_done(f"mail:{key}")


@app.task
def chat_message_notify(message_id: int) -> None:
    """Notify the participants of a chat message's contract who are not in its room."""
    from erp.chat.models import ChatMessage

    from .triggers import on_chat_message

    message = ChatMessage.objects.select_related("room__contract").filter(pk=message_id).first()
    if message is None or already_done(f"chat:{message_id}"):
        return
    on_chat_message(message)
    mark_done(f"chat:{message_id}")
