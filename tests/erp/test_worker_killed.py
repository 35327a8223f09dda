"""A worker killed in the middle of a task: the task is handed out again (late
acknowledgement, CELERY_VISIBILITY_TIMEOUT), runs again in the same company schema, and has
its effect once (idempotency key). Real worker processes on the test Redis broker."""

import signal
import time
import uuid

import pytest
from django_tenants.utils import tenant_context

from tests.support.celery_probe import slow_effect
from tests.support.workers import celery_worker, wait_for
from triboka.celery import app
from triboka.redis_client import redis_client


def _worker():
    return celery_worker(CELERY_VISIBILITY_TIMEOUT="3", CELERY_RESTORE_INTERVAL="1")


@pytest.fixture
def sending():
    app.conf.task_always_eager = False  # to the broker, for the worker processes
    yield
    app.conf.task_always_eager = True


def test_a_killed_worker_s_task_runs_again_with_one_effect(company_a, sending, django_db_blocker):
    client, key = redis_client(), f"test-killed:{uuid.uuid4()}"
    first = _worker()
    second = None
    try:
        with tenant_context(company_a):
            slow_effect.delay(key, 4)
        wait_for(lambda: client.llen(f"{key}:starts") == 1, 60, "the first worker to start the task")
        first.send_signal(signal.SIGKILL)  # in the middle of it, before the acknowledgement
        first.wait(timeout=10)
        second = _worker()
        wait_for(lambda: client.get(f"{key}:effects") is not None, 60, "the task to be handed out again")
        time.sleep(1)
        starts = [schema.decode() for schema in client.lrange(f"{key}:starts", 0, -1)]
        assert starts == [company_a.schema_name] * 2  # ran again, in the same schema
        assert client.get(f"{key}:effects") == b"1"  # one effect
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=20)
