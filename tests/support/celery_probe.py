"""A task for the killed-worker test, loaded by the worker it starts (``--include``)."""

import time

from django.db import connection

from erp.notifications.tasks import already_done, mark_done
from triboka.celery import app
from triboka.redis_client import redis_client


@app.task(bind=True)
def slow_effect(self, key: str, seconds: float):
    """Note each start, wait, then have its one effect and mark the key done."""
    client = redis_client()
    client.rpush(f"{key}:starts", connection.schema_name)
    if already_done(key):
        return
    time.sleep(seconds)
    client.incr(f"{key}:effects")
    mark_done(key)
