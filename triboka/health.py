"""``GET /health`` on every domain: is this installation able to serve?

Answered before host routing (which needs the database), so it works for any host, and
with no secrets in the body: each check says ok or a short reason (an exception's class,
never its message, which may hold a URL with a password).

- database: ``SELECT 1``;
- redis: ``PING`` (when REDIS_URL is set; without it the site runs without Redis);
- celery: the last tick of beat's heartbeat task, written to Redis every minute by a
  worker (so it proves beat and a worker), at most HEALTH_BEAT_MAX_AGE seconds old; tasks
  running inline (no REDIS_URL) need neither;
- storage: a small file written and deleted through the default storage.

200 when every check passes, 503 otherwise.
"""

import time

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse

from triboka.redis_client import redis_client

HEALTH_PATHS = {"/health", "/health/"}


def beat_key() -> str:
    return f"{settings.CACHE_KEY_PREFIX}:health:beat"


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _redis() -> str:
    client = redis_client()
    if client is None:
        return "not configured"
    client.ping()
    return "ok"


def _celery() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "inline"
    tick = redis_client().get(beat_key())
    if tick is None:
        raise RuntimeError("no beat tick yet")
    age = time.time() - float(tick)
    if age > settings.HEALTH_BEAT_MAX_AGE:
        raise RuntimeError(f"last beat tick {age:.0f} s ago")
    return f"last beat tick {age:.0f} s ago"


def _storage() -> str:
    name = default_storage.save("health/probe.txt", ContentFile(b"ok"))
    default_storage.delete(name)
    return "ok"


CHECKS = {"database": _database, "redis": _redis, "celery": _celery, "storage": _storage}


def health_report() -> tuple[bool, dict]:
    checks = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            checks[name] = {"ok": True, "detail": check()}
        except Exception as error:  # a failing dependency is the answer, not an error
            reason = str(error) if isinstance(error, RuntimeError) else type(error).__name__
            checks[name] = {"ok": False, "detail": reason}
        checks[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return all(check["ok"] for check in checks.values()), checks


class HealthMiddleware:
    """Answers /health before anything needs the database or a company."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path not in HEALTH_PATHS or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        healthy, checks = health_report()
        response = JsonResponse({"status": "ok" if healthy else "unavailable", "checks": checks})
        response.status_code = 200 if healthy else 503
        response["Cache-Control"] = "no-store"
        return response
