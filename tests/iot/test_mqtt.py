"""Readings over MQTT against a real broker (TEST_MQTT_URL; `make test` starts mosquitto): the
ingester reads committed data from its own connection, so the company is a committed one."""

import json
import logging
import os
import socket
import threading
import time
import uuid
from io import StringIO

import paho.mqtt.client as mqtt
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context, tenant_context
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from iot.models import DeviceError, Reading, Transport
from iot.mqtt import Broker, Ingester
from iot.services import device_register

BROKER = Broker.from_url(os.environ.get("TEST_MQTT_URL") or "mqtt://127.0.0.1:1883")


def _broker_answers() -> bool:
    try:
        with socket.create_connection((BROKER.host, BROKER.port), timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(
    not _broker_answers(), reason=f"no MQTT broker answers on {BROKER} (make test starts mosquitto)"
)


def wait_for(check, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


class Publisher:
    """A device's side: QoS 1 publications, each confirmed by the broker."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.connect(BROKER.host, BROKER.port)
        self.client.loop_start()

    def send(self, slug: str, device_id: int, payload, *, key_property: str | None = None) -> None:
        properties = None
        if key_property:
            properties = Properties(PacketTypes.PUBLISH)
            properties.UserProperty = ("key", key_property)
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        topic = f"{self.prefix}/{slug}/{device_id}/readings"
        self.client.publish(topic, body, qos=1, properties=properties).wait_for_publish(5)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class Running:
    """The ingester in a thread of the test process (its own database connection)."""

    def __init__(self, client_id: str, prefix: str):
        self.ingester = Ingester(broker=BROKER, client_id=client_id, prefix=prefix, session_expiry=120)
        self.thread = threading.Thread(target=self.ingester.run, daemon=True)
        self.thread.start()
        assert self.ingester.subscribed.wait(10), "the ingester did not subscribe"

    def stop(self) -> None:
        self.ingester.stop()
        self.thread.join(20)


@pytest.fixture
def mqtt_world(committed_company, django_db_blocker):
    """Epsilon (committed) with two scales, a topic prefix and a client id of this test only,
    a publisher, and ``start()`` for an ingester (stopped at the end)."""
    run = uuid.uuid4().hex[:10]
    prefix, client_id, running = f"test-{run}", f"triboka-test-{run}", []
    with django_db_blocker.unblock():
        with tenant_context(committed_company):
            one, key_one = device_register(user=None, name="Báscula 1", serial_number="MQ-1", kind="scale")
            two, key_two = device_register(user=None, name="Báscula 2", serial_number="MQ-2", kind="scale")
        connection.set_schema_to_public()
        publisher = Publisher(prefix)

        def start() -> Ingester:
            running.append(Running(client_id, prefix))
            return running[-1].ingester

        world = {
            "company": committed_company,
            "slug": committed_company.slug,
            "devices": (one, two),
            "keys": (key_one, key_two),
            "prefix": prefix,
            "client_id": client_id,
            "publisher": publisher,
            "start": start,
            "stop": lambda: running.pop().stop(),
        }
        try:
            yield world
        finally:
            while running:
                running.pop().stop()
            publisher.close()


def readings(schema: str, **filters) -> list:
    with schema_context(schema):
        return list(Reading.objects.filter(**filters).order_by("id"))


def test_a_reading_published_with_the_devices_key_is_stored_with_origin_mqtt(mqtt_world):
    (device, _two), (key, _key_two) = mqtt_world["devices"], mqtt_world["keys"]
    schema, publisher = mqtt_world["company"].schema_name, mqtt_world["publisher"]
    mqtt_world["start"]()
    publisher.send(
        mqtt_world["slug"], device.pk, {"key": key, "id": "m-1", "peso": "1.234,5", "humedad": "7,1"}
    )
    publisher.send(
        mqtt_world["slug"],
        device.pk,
        [{"id": "m-2", "net_kg": 20}, {"id": "m-3", "net_kg": 30}],
        key_property=key,
    )
    assert wait_for(lambda: len(readings(schema)) == 3)
    first, *_rest = stored = readings(schema)
    assert {reading.origin for reading in stored} == {Transport.MQTT}
    assert [reading.key for reading in stored] == ["m:m-1", "m:m-2", "m:m-3"]
    assert str(first.net_kg) == "1234.50" and str(first.moisture_percent) == "7.10"
    assert "key" not in first.raw  # the credential is never stored


def test_messages_published_while_the_ingester_is_down_are_stored_when_it_starts(mqtt_world):
    """The persistent session: the broker keeps QoS 1 messages for the stopped ingester."""
    (device, _two), (key, _key_two) = mqtt_world["devices"], mqtt_world["keys"]
    schema = mqtt_world["company"].schema_name
    mqtt_world["start"]()
    mqtt_world["stop"]()
    for n in range(5):
        mqtt_world["publisher"].send(
            mqtt_world["slug"], device.pk, {"key": key, "id": f"away-{n}", "net_kg": 10 + n}
        )
    assert readings(schema) == []
    ingester = mqtt_world["start"]()
    assert wait_for(lambda: len(readings(schema)) == 5)
    assert ingester.counters.stored == 5


def test_the_command_stores_what_was_queued_for_its_session(mqtt_world):
    (device, _two), (key, _key_two) = mqtt_world["devices"], mqtt_world["keys"]
    options = ["--url", str(f"mqtt://{BROKER}"), "--client-id", mqtt_world["client_id"]]
    options += ["--prefix", mqtt_world["prefix"], "--seconds", "1"]
    call_command("mqtt_ingest", *options, stdout=StringIO())  # creates the session
    mqtt_world["publisher"].send(mqtt_world["slug"], device.pk, {"key": key, "id": "queued", "net_kg": 12})
    out = StringIO()
    call_command("mqtt_ingest", *options[:-1], "2", stdout=out)
    assert [reading.key for reading in readings(mqtt_world["company"].schema_name)] == ["m:queued"]
    assert "received 1 messages; stored 1 readings" in out.getvalue()


def test_the_command_needs_a_broker(settings):
    settings.MQTT_URL = ""
    with pytest.raises(CommandError, match="MQTT_URL"):
        call_command("mqtt_ingest")


def test_messages_failing_the_checks_are_dropped_logged_and_stored_nowhere(mqtt_world, caplog):
    caplog.set_level(logging.WARNING, logger="iot.mqtt")
    (one, two), (key_one, _key_two) = mqtt_world["devices"], mqtt_world["keys"]
    publisher, ingester = mqtt_world["publisher"], mqtt_world["start"]()
    before = {schema: len(readings(schema)) for schema in ("alpha", "beta")}
    publisher.send(mqtt_world["slug"], one.pk, {"key": key_one.split(".")[0] + ".wrong", "net_kg": 10})
    publisher.send("alpha", one.pk, {"key": key_one, "net_kg": 11})  # epsilon's key on alpha's topic
    publisher.send("no-such-company", one.pk, {"key": key_one, "net_kg": 12})
    publisher.send(
        mqtt_world["slug"], two.pk, {"key": key_one, "net_kg": 13}
    )  # device 1's key, device 2's topic
    assert wait_for(lambda: ingester.counters.dropped == 4)
    assert readings(mqtt_world["company"].schema_name) == []
    assert {schema: len(readings(schema)) for schema in ("alpha", "beta")} == before
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged.count("unknown or revoked device key") == 2
    assert "unknown or suspended company" in logged and f"device {one.pk}'s, not the topic's" in logged
    assert key_one.split(".")[1] not in logged  # keys are not written to the log


def test_invalid_json_and_an_invalid_reading_do_not_stop_the_ingester(mqtt_world):
    (device, _two), (key, _key_two) = mqtt_world["devices"], mqtt_world["keys"]
    schema, publisher = mqtt_world["company"].schema_name, mqtt_world["publisher"]
    ingester = mqtt_world["start"]()
    publisher.send(mqtt_world["slug"], device.pk, b"{not json")
    publisher.send(
        mqtt_world["slug"], device.pk, {"key": key, "readings": [{"net_kg": "-5"}, {"id": "ok", "net_kg": 5}]}
    )
    publisher.send(mqtt_world["slug"], device.pk, {"key": key, "id": "after", "net_kg": 6})
    assert wait_for(lambda: len(readings(schema)) == 2)
    assert [reading.key for reading in readings(schema)] == ["m:ok", "m:after"]
    with schema_context(schema):
        error = DeviceError.objects.get(device=device)
    assert error.origin == Transport.MQTT and "net_kg" in error.message
    assert ingester.counters.dropped == 1 and ingester.counters.refused == 1


def test_readings_one_device_cannot_store_do_not_cost_another_device_its_own(mqtt_world, monkeypatch, caplog):
    from iot import mqtt as ingestion

    (one, two), (key_one, key_two) = mqtt_world["devices"], mqtt_world["keys"]
    schema, publisher = mqtt_world["company"].schema_name, mqtt_world["publisher"]

    def failing_for_two(*, device, **kwargs):
        if device.pk == two.pk:
            raise RuntimeError("broken")
        return real(device=device, **kwargs)

    real = ingestion.readings_ingest
    monkeypatch.setattr(ingestion, "readings_ingest", failing_for_two)
    ingester = mqtt_world["start"]()
    publisher.send(mqtt_world["slug"], two.pk, {"key": key_two, "id": "two", "net_kg": 2})
    publisher.send(mqtt_world["slug"], one.pk, {"key": key_one, "id": "one", "net_kg": 1})
    assert wait_for(lambda: ingester.counters.stored + ingester.counters.dropped == 2)
    assert [(reading.device_id, reading.key) for reading in readings(schema)] == [(one.pk, "m:one")]
    assert f"readings of device {two.pk} in epsilon not stored" in caplog.text


def test_a_company_whose_license_lacks_the_iot_module_gets_nothing_stored(mqtt_world, caplog):
    from master.licensing.models import Module

    caplog.set_level(logging.WARNING, logger="iot.mqtt")
    license = mqtt_world["company"].licenses.get()
    license.modules = [module for module in Module.values if module != Module.IOT]
    license.save()  # clears the route cache, as for the web workers
    (one, _two), (key_one, _key_two) = mqtt_world["devices"], mqtt_world["keys"]
    ingester = mqtt_world["start"]()
    mqtt_world["publisher"].send(mqtt_world["slug"], one.pk, {"key": key_one, "net_kg": 10})
    assert wait_for(lambda: ingester.counters.dropped == 1)
    assert readings(mqtt_world["company"].schema_name) == []
    assert "module_not_licensed" in "\n".join(record.getMessage() for record in caplog.records)
