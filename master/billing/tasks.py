"""The daily billing job. It runs in the public schema, where licenses and invoices live,
so it is not fanned out per company like triboka.jobs."""

from triboka.celery import app

from . import renewals


@app.task
def billing_daily() -> dict[str, int]:
    """Overdue, void, closing notices, new invoices, reminders (see renewals.py); returns
    how many of each. Safe to run twice: the second run the same day finds nothing to do."""
    return renewals.billing_daily_run()
