"""Daily (triboka/jobs.py): tickets resolved longer ago than the reopen window are closed.
Tickets are public-schema rows, so the task runs there whatever schema it was sent from."""

from django_tenants.utils import get_public_schema_name, schema_context

from triboka.celery import app

from . import services


@app.task
def tickets_close_resolved() -> int:
    with schema_context(get_public_schema_name()):
        return services.tickets_close_resolved()
