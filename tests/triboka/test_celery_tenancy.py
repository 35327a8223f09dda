"""Tasks run in the schema they were sent from: a real worker on the real Redis broker."""

import time
import uuid

import pytest
from celery import chain
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django_tenants.utils import schema_context

from master.companies.models import Company
from triboka.celery import app, fan_out
from triboka.redis_client import redis_client


@app.task(bind=True, max_retries=1)
def record_schema(self, key: str, retry: bool = False):
    """Note the schema the task runs in (and its attempt), in Redis: no test transaction."""
    redis_client().rpush(key, f"{connection.schema_name}:{self.request.retries}")
    if retry and self.request.retries == 0:
        raise self.retry(countdown=0)


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker):
    """A Celery worker thread consuming the test Redis broker; it reads committed rows only
    (the companies), so the database stays unblocked while it runs."""
    app.conf.task_always_eager = False  # the tests elsewhere run tasks inline
    with django_db_blocker.unblock():
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"
        ):
            yield
    app.conf.task_always_eager = True


def recorded(key: str, count: int, seconds: float = 20) -> list[str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        values = [value.decode() for value in redis_client().lrange(key, 0, -1)]
        if len(values) >= count:
            return values
        time.sleep(0.05)
    pytest.fail(f"the worker recorded {values} of {count} entries")


@pytest.fixture
def key() -> str:
    return f"test-celery:{uuid.uuid4()}"


def test_a_task_runs_in_the_schema_it_was_sent_from(worker, key, company_a, company_b):
    with schema_context(company_a.schema_name):
        record_schema.delay(key)
    with schema_context(company_b.schema_name):
        record_schema.delay(key)
    assert sorted(recorded(key, 2)) == sorted([f"{company_a.schema_name}:0", f"{company_b.schema_name}:0"])


def test_a_task_sent_from_the_public_schema_runs_there(worker, key):
    record_schema.delay(key)
    assert recorded(key, 1) == ["public:0"]


def test_a_retry_keeps_the_schema(worker, key, company_b):
    with schema_context(company_b.schema_name):
        record_schema.delay(key, retry=True)
    assert recorded(key, 2) == [f"{company_b.schema_name}:0", f"{company_b.schema_name}:1"]


def test_every_task_of_a_chain_keeps_the_schema(worker, key, company_a):
    with schema_context(company_a.schema_name):
        chain(record_schema.si(key), record_schema.si(key)).delay()
    assert recorded(key, 2) == [f"{company_a.schema_name}:0"] * 2


def test_a_fan_out_runs_once_in_each_active_company(worker, key, db):
    schemas = set(Company.objects.active().values_list("schema_name", flat=True))
    assert fan_out(record_schema, key) == len(schemas) >= 2
    assert {entry.split(":")[0] for entry in recorded(key, len(schemas))} == schemas
