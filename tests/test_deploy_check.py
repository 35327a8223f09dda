"""`manage.py check --deploy` with production-like settings has nothing left to fix."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {"DJANGO_DEBUG": "0", "DJANGO_SECURE": "1", "DJANGO_READ_DOT_ENV": "0"}


def deploy_check(**env_changes) -> subprocess.CompletedProcess:
    env = {**os.environ, **PRODUCTION, **env_changes}
    env = {key: value for key, value in env.items() if value is not None}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = deploy_check(DJANGO_SECRET_KEY="k3y-" + "x7Qp!r9Zt#Lm2Vb$" * 4, BASE_DOMAIN="triboka.com")
    assert result.returncode == 0, result.stdout + result.stderr
    # Nothing but the note that push notifications are off (no FCM credentials here).
    output = result.stdout + result.stderr
    assert "identified 1 issue" in output and "triboka.I001" in output


def test_deploy_check_flags_the_development_secret_key():
    result = deploy_check(DJANGO_SECRET_KEY=None)
    assert result.returncode != 0 and "triboka.W001" in result.stderr + result.stdout
