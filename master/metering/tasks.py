"""The per-minute flush of API consumption (scheduled in triboka/jobs.py SCHEDULES)."""

from triboka.celery import app

from .services import metering_flush as _flush


@app.task
def metering_flush() -> int:
    return _flush()
