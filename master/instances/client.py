"""The installation's side of heartbeats: what it reports (version, license file, the
/health checks) and the signed POST to the master (TRIBOKA_MASTER_URL).

Used by ``manage.py send_heartbeat`` and the ``heartbeat_send`` task; nothing here runs on
the master.
"""

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

import triboka
from master.licensing.files import license_file_state_for_heartbeat, private_key_load
from triboka.health import health_report

from .services import SIGNATURE_HEADER

HEARTBEAT_PATH = "/api/master/instances/heartbeat/"
TIMEOUT_SECONDS = 15


class HeartbeatError(Exception):
    """The heartbeat could not be sent, or the master refused it."""


@dataclass(frozen=True)
class HeartbeatConfig:
    master_url: str
    instance_id: str
    private_key: str

    @classmethod
    def from_settings(cls) -> "HeartbeatConfig":
        missing = [
            name
            for name in ("TRIBOKA_MASTER_URL", "TRIBOKA_INSTANCE_ID", "TRIBOKA_INSTANCE_KEY")
            if not getattr(settings, name)
        ]
        if missing:
            raise HeartbeatError(f"Not configured: set {', '.join(missing)} (see .env.example).")
        return cls(settings.TRIBOKA_MASTER_URL, settings.TRIBOKA_INSTANCE_ID, settings.TRIBOKA_INSTANCE_KEY)


def heartbeat_body(*, instance_id: str) -> dict:
    healthy, checks = health_report()
    return {
        "instance": instance_id,
        "sent_at": timezone.now().isoformat(),
        "version": triboka.__version__,
        "license": license_file_state_for_heartbeat(),
        "health": {"healthy": healthy, "checks": checks},
    }


def heartbeat_send(config: HeartbeatConfig | None = None) -> dict:
    """Send one heartbeat; the master's answer, or HeartbeatError saying why not."""
    config = config or HeartbeatConfig.from_settings()
    try:
        key = private_key_load(config.private_key)
    except ValueError as error:
        raise HeartbeatError(f"TRIBOKA_INSTANCE_KEY is {error}.") from error
    body = json.dumps(heartbeat_body(instance_id=config.instance_id)).encode()
    request = urllib.request.Request(
        config.master_url.rstrip("/") + HEARTBEAT_PATH,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: base64.b64encode(key.sign(body)).decode(),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise HeartbeatError(f"The master refused the heartbeat ({error.code}): {_detail(error)}") from error
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise HeartbeatError(f"The master at {config.master_url} did not answer: {error}") from error


def _detail(error: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(error.read()).get("detail", ""))
    except (ValueError, AttributeError):
        return error.reason
