"""On an installation: the heartbeat to the master, every few minutes (triboka/jobs.py).
On the master, or an installation without TRIBOKA_MASTER_URL, it does nothing."""

import logging

from django.conf import settings

from triboka.celery import app

from .client import HeartbeatError, heartbeat_send

logger = logging.getLogger(__name__)


@app.task
def instance_heartbeat() -> str:
    if not settings.TRIBOKA_MASTER_URL:
        return "TRIBOKA_MASTER_URL is not set"
    try:
        answer = heartbeat_send()
    except HeartbeatError as error:  # the next run tries again; the master shows it stale meanwhile
        logger.warning("Heartbeat not sent: %s", error)
        return f"not sent: {error}"
    return f"accepted by the master at {answer.get('received_at')}"
