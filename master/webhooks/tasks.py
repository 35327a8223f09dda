"""Webhook tasks, in the public schema (services.deliveries_queue sends them from there,
whatever schema the event came from)."""

from triboka.celery import app

from . import services


@app.task(bind=True, max_retries=None)
def delivery_send(self, delivery_id: int, attempt: int = 1) -> None:
    """Attempt number ``attempt`` of a delivery; a failure with attempts left comes back
    after the service's delay, as the next attempt (the service counts, not Celery)."""
    delay = services.delivery_attempt(delivery_id=delivery_id, attempt=attempt)
    if delay is not None:
        raise self.retry(args=[delivery_id, attempt + 1], countdown=delay)


@app.task
def webhooks_housekeeping() -> dict:
    """Queue again deliveries whose task was lost, and forget old ones (every few minutes)."""
    return {"requeued": services.deliveries_requeue_stale(), "purged": services.deliveries_purge()}
