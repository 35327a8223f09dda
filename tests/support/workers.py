"""Real Celery worker processes for the tests that kill or cut them off: on the test
database and the test run's cache keys, loading the probe task of celery_probe.py."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def celery_worker(**environment: str) -> subprocess.Popen:
    """A one-process worker; ``environment`` adds or overrides settings read from it."""
    from tests.conftest import _database_url

    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "triboka.settings",
        "DJANGO_READ_DOT_ENV": "0",
        "CACHE_KEY_PREFIX": settings.CACHE_KEY_PREFIX,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        **environment,
    }
    command = [sys.executable, "-m", "celery", "-A", "triboka", "worker", "--pool", "solo"]
    command += [
        "-I",
        "tests.support.celery_probe",
        "--loglevel",
        "WARNING",
        "--without-gossip",
        "--without-mingle",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")
