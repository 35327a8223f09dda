"""Every minute (triboka/jobs.py): chats nobody from support answered in time become tickets.
Chats are public-schema rows, so the task runs in the public schema whatever it was sent from."""

from django_tenants.utils import get_public_schema_name, schema_context

from triboka.celery import app

from . import services


@app.task
def chats_unanswered_to_tickets() -> list[str]:
    with schema_context(get_public_schema_name()):
        return [ticket.number for ticket in services.chats_unanswered_convert()]
