"""GET /health on every domain: 200 when the database, Redis, Celery's beat and the storage
answer; 503 naming what does not, with no secrets."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.test import Client

from triboka.health import beat_key
from triboka.jobs import beat_tick
from triboka.redis_client import redis_client

ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_health_answers_200_on_the_root_and_on_a_company(db, company_a, root_host):
    for host in (root_host, company_a.primary_domain, "nobody.example.com"):
        response = Client(HTTP_HOST=host).get("/health")
        assert response.status_code == 200, (host, response.content)
        body = response.json()
        assert body["status"] == "ok" and set(body["checks"]) == {"database", "redis", "celery", "storage"}
        assert body["checks"]["celery"]["detail"] == "inline"  # the tests run tasks inline


def test_redis_down_answers_503_without_secrets(db, settings, root_host):
    settings.REDIS_URL = f"redis://:s3cret@127.0.0.1:{_closed_port()}/0"
    response = Client(HTTP_HOST=root_host).get("/health")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["redis"] == {"ok": False, "detail": "ConnectionError", "ms": checks["redis"]["ms"]}
    assert checks["database"]["ok"] and "s3cret" not in response.content.decode()


def test_a_stale_beat_answers_503_and_a_fresh_tick_200(db, settings, root_host):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    redis_client().set(beat_key(), time.time() - settings.HEALTH_BEAT_MAX_AGE - 5)
    stale = Client(HTTP_HOST=root_host).get("/health")
    assert stale.status_code == 503 and "last beat tick" in stale.json()["checks"]["celery"]["detail"]
    beat_tick()
    assert Client(HTTP_HOST=root_host).get("/health").status_code == 200


def test_postgresql_down_answers_503(tmp_path):
    """A process whose database does not answer still answers /health, with 503."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "triboka.settings",
        "DJANGO_READ_DOT_ENV": "0",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{_closed_port()}/nothing",
        "DB_POOL": "0",
        "MEDIA_ROOT": str(tmp_path),
    }
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client(HTTP_HOST='localhost').get('/health'); print(r.status_code, r.content.decode())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    status, body = result.stdout.strip().split(" ", 1)
    checks = json.loads(body)["checks"]
    assert status == "503" and checks["database"]["ok"] is False and checks["storage"]["ok"] is True
