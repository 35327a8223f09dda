"""The one Celery app, tenant-aware: a task runs in the schema it was sent from.

tenant-schemas-celery stamps the sender's schema into each message's headers
(``_schema_name``) and switches the worker's connection to it before the task runs and back
after. A retry is sent from inside the running task, so it keeps the schema; so does every
task of a chain or group sent while a company's schema is active. ``fan_out`` sends one
task per active company, each from inside that company's schema.
"""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "triboka.settings")

app = CeleryApp("triboka", include=["triboka.jobs"])  # tasks outside an app's tasks.py
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def fan_out(task, *args, **kwargs) -> int:
    """Queue ``task`` once per active company, in that company's schema; returns how many."""
    from django_tenants.utils import schema_context

    from master.companies.models import Company

    sent = 0
    for schema_name in Company.objects.active().values_list("schema_name", flat=True):
        with schema_context(schema_name):
            task.apply_async(args=args, kwargs=kwargs)
        sent += 1
    return sent
