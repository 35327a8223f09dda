"""Redis going away and coming back: a worker reconnects to the broker and carries on; while
it is away, a chat message or a notification is still saved (only its live delivery is
missed, and fetched by clients on reconnecting).

The broker here is a redis-server of the test's own on a free port, so restarting it
disturbs nothing else."""

import shutil
import socket
import subprocess
import time
import uuid

import pytest
from django.test.utils import override_settings
from django_tenants.utils import tenant_context

from erp.chat.models import ChatMessage
from tests.support.celery_probe import slow_effect
from tests.support.workers import celery_worker, wait_for
from triboka.celery import app
from triboka.redis_client import redis_client

REDIS_SERVER = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _redis(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    wait_for(lambda: _answers(port), 20, "redis-server to start")
    return server


def _worker(broker: str):
    return celery_worker(CELERY_BROKER_URL=broker)  # the restartable one; effects go to the test Redis


def _send(broker: str, key: str) -> None:
    with app.connection_for_write(broker) as connection:
        slow_effect.apply_async((key, 0), connection=connection)


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_a_worker_reconnects_after_a_redis_restart_and_carries_on(company_a):
    port = _free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    effects, before, after = redis_client(), f"test-restart:{uuid.uuid4()}", f"test-restart:{uuid.uuid4()}"
    server = _redis(port)
    worker = _worker(broker)
    try:
        with tenant_context(company_a):
            _send(broker, before)
        wait_for(lambda: effects.get(f"{before}:effects") == b"1", 60, "the worker to run a task")

        server.terminate()  # Redis goes away ...
        server.wait(timeout=10)
        time.sleep(2)
        assert worker.poll() is None, "the worker died with the broker"
        server = _redis(port)  # ... and comes back empty, as a restart without persistence would

        with tenant_context(company_a):
            _send(broker, after)
        wait_for(
            lambda: effects.get(f"{after}:effects") == b"1", 90, "the worker to run a task after the restart"
        )
        assert effects.lrange(f"{after}:starts", 0, -1) == [company_a.schema_name.encode()]
        assert worker.poll() is None
    finally:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=20)
        server.terminate()
        server.wait(timeout=10)


def test_with_the_channel_layer_down_a_chat_message_is_saved_and_answered_201(
    erp_a, django_capture_on_commit_callbacks
):
    from tests.erp.test_chat import URL, room_of

    room = room_of(erp_a, "center")
    dead = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{_free_port()}/0"]},
        }
    }
    with override_settings(CHANNEL_LAYERS=dead), django_capture_on_commit_callbacks(execute=True):
        response = erp_a.client("center").post(
            f"{URL}{room}/messages/", {"text": "¿Llegó el camión?"}, format="json"
        )
    assert response.status_code == 201, response.content
    with tenant_context(erp_a.company):
        assert ChatMessage.objects.filter(text="¿Llegó el camión?").exists()
    # and the exporter, offline, was notified all the same (stored; its live push was lost)
    notes = erp_a.client("exporter").get("/api/v1/notifications/").json()
    assert any("¿Llegó el camión?" in note["body"] for note in notes["results"])
