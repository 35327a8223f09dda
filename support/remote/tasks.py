"""Every few minutes (triboka/jobs.py): record the end of the accesses whose window is
over, each in its company's audit log. Grants are public-schema rows, so the task runs in
the public schema whatever it was sent from; an end is recorded once, so it is safe to
run twice."""

from django_tenants.utils import get_public_schema_name, schema_context

from triboka.celery import app

from .services import remote_access_expire_due


@app.task
def support_remote_expire_due() -> int:
    with schema_context(get_public_schema_name()):
        return remote_access_expire_due()
