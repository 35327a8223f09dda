"""The IoT app's background work: large CSV imports (tenant-aware: each runs in the schema
of the company that queued it).

Safe to run twice: a finished import is left as it is, and one that a killed worker left
running goes on from its last committed batch (Celery hands the message out again:
CELERY_TASK_ACKS_LATE with CELERY_TASK_REJECT_ON_WORKER_LOST)."""

import logging

from django.db import InterfaceError, OperationalError

from triboka.celery import app

from .csv_import import import_fail, import_run
from .models import ReadingImport

logger = logging.getLogger(__name__)


@app.task(bind=True, max_retries=3, default_retry_delay=30)
def reading_import_run(self, import_id: int) -> None:
    reading_import = ReadingImport.objects.select_related("device").filter(pk=import_id).first()
    if reading_import is None:
        return
    try:
        import_run(reading_import)
    except (OperationalError, InterfaceError) as error:  # the database went away: resume later
        if self.request.retries < self.max_retries:
            raise self.retry(exc=error) from error
        import_fail(reading_import, error=error)
    except Exception as error:
        logger.exception("CSV import %s failed", import_id)
        import_fail(reading_import, error=error)
