"""The one Celery app. Tenant-aware task plumbing arrives with the background-jobs issue."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "triboka.settings")

app = Celery("triboka")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
