"""MQTT ingestion: readings that devices publish to a broker, stored in their company's schema.

Topic: ``<MQTT_TOPIC_PREFIX>/<company slug>/<device id>/readings``, e.g.
``triboka/sucacao/12/readings``. Payload: UTF-8 JSON, one of::

    {"key": "<device key>", "id": "m-1", "net_kg": "1234,5", "moisture": 7.1,
     "measured_at": "2026-11-30T08:15:00-05:00", "lot": "L-0042"}
    {"key": "<device key>", "readings": [{...}, {...}]}
    [{...}, {...}]

The device key travels in the payload's ``key`` or, with MQTT v5, as the user property
``key`` (which wins); for a bare list it is the user property or the items' ``key`` (all
the same). The key is never stored with a reading. A reading's fields are those of the REST
API (``iot.services.ALIASES``: ``peso``, ``humedad``, ``timestamp`` ... are accepted). QoS 1
delivers at least once: give each reading an ``id`` or a ``measured_at`` so a message
delivered twice is stored once (without either, a reading is stamped with the time it
arrives and a redelivery stores it again).

Each message is checked on its own: the company slug must be an active company whose
license takes a device's reading now (the iot module, not suspended or past its grace
period: ``company_taking_readings``, the same route cache and gate as a REST reading), the
key must be an active device's key in that company's schema (a key of another company's
device is not there), and that device must be the one in the topic.
A message failing a check, too large, or not JSON is dropped: logged, acknowledged (never
redelivered for ever), stored nowhere. Bad readings in a good message become DeviceError
rows of their device through ``readings_ingest``; the good ones are kept.

Delivery: a persistent session (a fixed client id, clean start off, a session expiry of
SESSION_EXPIRY_SECONDS) and a QoS 1 subscription, so the broker keeps what is published
while the ingester is down and delivers it when it reconnects (paho reconnects with a
backoff doubling up to 60 s). A message is acknowledged only after its readings are
committed: a crash means redelivery, never a loss.

The broker bounds what it keeps for a client: mosquitto queues at most
``max_queued_messages`` (1000 by default) beyond those in flight, and drops the rest; raise
it in the broker's configuration for the downtime you want to survive.

Throughput: paho's network thread only hands each message to one of WORKERS threads (by
topic, so a device's messages keep their order), each with its own database connection:
storing waits on the database more than it computes, and the workers overlap those waits.
A worker takes whatever has arrived (the client lets the broker send RECEIVE_MAXIMUM
unacknowledged messages instead of mosquitto's default of 20), groups it by company and
device, checks each key once, and stores a company's readings with one ``readings_ingest``
per device, all in one transaction (one per device if that fails for another reason than
the database, so one device's trouble does not cost the others theirs), then acknowledges
them. While the database is unavailable it retries with a backoff, acknowledging nothing.
"""

import json
import logging
import queue
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import unquote, urlparse

import paho.mqtt.client as mqtt
from django.db import InterfaceError, OperationalError, close_old_connections, connection, transaction
from django_tenants.utils import tenant_context
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from master.companies.models import Company
from triboka.errors import ApplicationError

from .models import Device, Transport
from .services import MAX_BATCH, IngestReport, company_taking_readings, device_for_key, readings_ingest

logger = logging.getLogger(__name__)

SESSION_EXPIRY_SECONDS = 7 * 24 * 3600
MAX_PAYLOAD_BYTES = 256 * 1024
BATCH_MAX_MESSAGES = 200
# Unacknowledged messages the broker may send us (MQTT v5 Receive Maximum; mosquitto's own
# default, max_inflight_messages, is 20): room for batches to grow when the database is slow,
# on top of the 1000 mosquitto queues (a few seconds at 500 messages/s).
RECEIVE_MAXIMUM = 1000
DB_RETRY_MAX_SECONDS = 30
# Threads storing, each with its own database connection (within DB_POOL_MAX_SIZE, 10).
WORKERS = 8
CONNECTION_CHECK_SECONDS = 10  # a broken or too old database connection is replaced within this


class Dropped(Exception):
    """A message that will never be stored; the reason is logged."""


class Interrupted(Exception):
    """Stopping while waiting for the database: what is not committed is not acknowledged."""


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False

    @classmethod
    def from_url(cls, url: str) -> "Broker":
        """``mqtt://user:password@host:1883`` or ``mqtts://`` (TLS, port 8883 by default)."""
        parsed = urlparse(url)
        if parsed.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not parsed.hostname:
            raise ValueError(f"Not a broker URL (mqtt://host:1883): {url}")
        tls = parsed.scheme in ("mqtts", "ssl")
        return cls(
            host=parsed.hostname,
            port=parsed.port or (8883 if tls else 1883),
            username=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            tls=tls,
        )

    def __str__(self):
        return f"{self.host}:{self.port}"


@dataclass
class Incoming:
    topic: str
    payload: bytes
    mid: int
    qos: int
    property_key: str | None
    generation: int  # the connection it came on: an ack is only valid on that one


@dataclass
class Counters:
    received: int = 0  # messages
    stored: int = 0  # readings added
    duplicates: int = 0  # readings already stored
    refused: int = 0  # readings refused (DeviceError rows)
    dropped: int = 0  # messages stored nowhere
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **amounts: int) -> None:
        with self.lock:
            for name, amount in amounts.items():
                setattr(self, name, getattr(self, name) + amount)

    def line(self) -> str:
        return (
            f"received {self.received} messages; stored {self.stored} readings "
            f"({self.duplicates} duplicates, {self.refused} refused); dropped {self.dropped} messages"
        )


# --- one message ------------------------------------------------------------------------------


def topic_filter(prefix: str) -> str:
    return f"{prefix}/+/+/readings"


def parse_topic(topic: str, prefix: str) -> tuple[str, int]:
    """(company slug, device id) of ``<prefix>/<slug>/<id>/readings``."""
    head, _sep, rest = topic.partition(f"{prefix}/")
    parts = rest.split("/")
    if head or len(parts) != 3 or parts[2] != "readings" or not parts[0]:
        raise Dropped("not a readings topic")
    if not parts[1].isdigit():
        raise Dropped("the device in the topic is not a device id")
    return parts[0], int(parts[1])


def parse_payload(payload: bytes, property_key: str | None) -> tuple[str, list]:
    """(key, readings) of a message, the key removed from every reading."""
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise Dropped(f"payload above {MAX_PAYLOAD_BYTES // 1024} KB")
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, ValueError):
        raise Dropped("payload is not JSON") from None
    if isinstance(data, dict) and isinstance(data.get("readings"), list):
        key, items = data.get("key"), data["readings"]
    elif isinstance(data, dict):
        key, items = data.get("key"), [data]
    elif isinstance(data, list):
        keys = {item.get("key") for item in data if isinstance(item, dict)}
        key, items = (keys.pop() if len(keys) == 1 else None), data
    else:
        raise Dropped("payload is neither a reading, {readings: [...]} nor a list")
    key = property_key or key
    if not isinstance(key, str) or not key:
        raise Dropped("no device key")
    if not items or len(items) > MAX_BATCH:
        raise Dropped(f"a message carries 1 to {MAX_BATCH} readings")
    return key, [_without_key(item) for item in items]


def _without_key(item):
    if not isinstance(item, dict):
        return item  # refused by readings_ingest, with its position
    return {name: value for name, value in item.items() if str(name).strip().lower() != "key"}


def company_accepting_readings(slug: str) -> Company:
    """The topic's company, if its license takes a device's reading now; Dropped otherwise."""
    try:
        return company_taking_readings(slug)
    except ApplicationError as refused:
        if refused.code in ("unknown_company", "company_suspended"):
            raise Dropped("unknown or suspended company") from None
        raise Dropped(f"refused by the company's license ({refused.code})") from None


@dataclass
class Parsed:
    """A message whose topic names an active company, with its key and readings."""

    message: Incoming
    company: Company
    device_id: int
    key: str
    items: list


# --- the ingester -------------------------------------------------------------------------------


class Ingester:
    """The MQTT side: subscribes, hands each message to a worker, acknowledges what the
    workers have stored; until ``stop()`` (or ``seconds`` in ``run``)."""

    def __init__(
        self,
        *,
        broker: Broker,
        client_id: str,
        prefix: str,
        workers: int = WORKERS,
        session_expiry: int = SESSION_EXPIRY_SECONDS,
        report: Callable[[str], None] | None = None,
        report_every: float = 60,
    ):
        self.broker, self.client_id, self.prefix = broker, client_id, prefix.strip("/")
        self.session_expiry = session_expiry
        self.report, self.report_every = report, report_every
        self.counters = Counters()
        self.subscribed = threading.Event()
        self.failed = False  # a worker met an error it could not handle, and stopped everything
        self._stop = threading.Event()
        self._generation = 0
        self.workers = [Worker(self, n) for n in range(max(1, workers))]
        self.client = self._client()

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def sleep(self, seconds: float) -> bool:
        """Waits, or less if stopping; True when stopping."""
        return self._stop.wait(seconds)

    def run(self, *, seconds: float | None = None) -> Counters:
        """Connect (retrying until the broker answers) and store messages as they come."""
        deadline = None if seconds is None else time.monotonic() + seconds
        for worker in self.workers:
            worker.start()
        self.client.connect_async(
            self.broker.host,
            self.broker.port,
            keepalive=30,
            clean_start=False,
            properties=self._connect_props(),
        )
        self.client.loop_start()
        next_report = time.monotonic() + self.report_every
        try:
            while not self._stop.wait(0.2):
                if deadline is not None and time.monotonic() >= deadline:
                    break
                if self.report and time.monotonic() >= next_report:
                    self.report(self.counters.line())
                    next_report = time.monotonic() + self.report_every
        finally:
            self._stop.set()
            for worker in self.workers:
                worker.join()
            self.client.disconnect()
            self.client.loop_stop()
        return self.counters

    def ack(self, message: Incoming) -> None:
        """A message of an earlier connection is not acknowledged on this one: the broker
        delivers it again under the same id, and that copy's acknowledgement counts."""
        if message.qos and message.generation == self._generation:
            self.client.ack(message.mid, message.qos)

    # --- paho's network thread ----------------------------------------------------------------

    def _client(self) -> mqtt.Client:
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=mqtt.MQTTv5)
        client.manual_ack_set(True)
        client.reconnect_delay_set(min_delay=1, max_delay=60)
        if self.broker.username:
            client.username_pw_set(self.broker.username, self.broker.password)
        if self.broker.tls:
            client.tls_set()
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        return client

    def _connect_props(self) -> Properties:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = self.session_expiry
        props.ReceiveMaximum = RECEIVE_MAXIMUM
        return props

    def _on_connect(self, client, _userdata, flags, reason_code, _properties):
        if reason_code.is_failure:
            logger.error("MQTT broker %s refused the connection: %s", self.broker, reason_code)
            return
        self._generation += 1
        logger.info(
            "Connected to MQTT broker %s as %s (session %s); subscribing to %s",
            self.broker,
            self.client_id,
            "resumed" if flags.session_present else "new",
            topic_filter(self.prefix),
        )
        client.subscribe(topic_filter(self.prefix), qos=1)

    def _on_connect_fail(self, _client, _userdata):
        logger.warning("Cannot reach MQTT broker %s; retrying with backoff", self.broker)

    def _on_disconnect(self, _client, _userdata, _flags, reason_code, _properties):
        self.subscribed.clear()
        if not self._stop.is_set():
            logger.warning("Disconnected from MQTT broker %s (%s); reconnecting", self.broker, reason_code)

    def _on_subscribe(self, _client, _userdata, _mid, reason_codes, _properties):
        if any(code.is_failure for code in reason_codes):
            logger.error("MQTT broker %s refused the subscription: %s", self.broker, reason_codes)
            return
        self.subscribed.set()

    def _on_message(self, _client, _userdata, message: mqtt.MQTTMessage):
        properties = getattr(message.properties, "UserProperty", None) or []
        key = next((value for name, value in properties if name == "key"), None)
        try:
            topic = message.topic
        except UnicodeDecodeError:
            topic = ""
        self.counters.add(received=1)
        incoming = Incoming(topic, message.payload, message.mid, message.qos, key, self._generation)
        # One device's messages always go to the same worker: stored in the order they came.
        self.workers[zlib.crc32(topic.encode()) % len(self.workers)].queue.put(incoming)


class Worker(threading.Thread):
    """Takes the messages that have arrived, in batches, and stores them with its own
    database connection. Storing waits on the database far more than it computes, so a few
    workers overlap those waits."""

    def __init__(self, ingester: Ingester, number: int):
        super().__init__(name=f"mqtt-worker-{number}", daemon=True)
        self.ingester, self.counters = ingester, ingester.counters
        self.queue: queue.SimpleQueue[Incoming] = queue.SimpleQueue()
        self._connection_checked_at = float("-inf")

    def run(self) -> None:
        try:
            while not self.ingester.stopping:
                batch = self._next_batch()
                if batch:
                    self._process(batch)
        except Interrupted:
            pass  # not acknowledged: delivered again on the next start
        except Exception:
            logger.exception("MQTT worker %s failed; stopping", self.name)
            self.ingester.failed = True
            self.ingester.stop()
        finally:
            connection.close()

    def _next_batch(self) -> list[Incoming]:
        try:
            batch = [self.queue.get(timeout=0.2)]
        except queue.Empty:
            return []
        while len(batch) < BATCH_MAX_MESSAGES:
            try:
                batch.append(self.queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _process(self, batch: list[Incoming]) -> None:
        if time.monotonic() >= self._connection_checked_at + CONNECTION_CHECK_SECONDS:
            # What Django does around each request, but not for each batch: handing the
            # connection back to the pool and taking one costs as much as storing a batch.
            close_old_connections()
            self._connection_checked_at = time.monotonic()
        by_company: dict[str, list[Parsed]] = {}
        for message in batch:
            try:
                parsed = self._parse(message)
            except Dropped as reason:
                self._drop(message, str(reason))
                continue
            by_company.setdefault(parsed.company.schema_name, []).append(parsed)
        for messages in by_company.values():
            with tenant_context(messages[0].company):
                self._store_company(messages)

    def _parse(self, message: Incoming) -> Parsed:
        slug, device_id = parse_topic(message.topic, self.ingester.prefix)
        key, items = parse_payload(message.payload, message.property_key)
        company = self._retrying(partial(company_accepting_readings, slug))
        return Parsed(message, company, device_id, key, items)

    def _store_company(self, messages: list[Parsed]) -> None:
        """In the company's schema (one search_path a batch): keys, then readings."""
        company = messages[0].company
        groups, refused = self._retrying(partial(self._by_device, messages))
        for message, reason in refused:
            self._drop(message, reason)
        if groups:
            self._retrying(partial(self._store, company, groups))

    def _by_device(self, messages: list[Parsed]) -> tuple[list, list]:
        """([(device, [parsed, ...]), ...] in runs of at most MAX_BATCH readings, [(message,
        why it is dropped), ...]): each key checked in the company's schema, once a batch."""
        devices: dict[str, Device | None] = {}
        by_device: dict[int, tuple[Device, list[Parsed]]] = {}
        refused = []
        for parsed in messages:
            if parsed.key not in devices:
                devices[parsed.key] = device_for_key(parsed.key)
            device = devices[parsed.key]
            if device is None:
                refused.append((parsed.message, "unknown or revoked device key, or an inactive device"))
            elif device.pk != parsed.device_id:
                refused.append((parsed.message, f"the key is device {device.pk}'s, not the topic's"))
            else:
                by_device.setdefault(device.pk, (device, []))[1].append(parsed)
        groups = [(device, run) for device, group in by_device.values() for run in _runs(group)]
        return groups, refused

    def _store(self, company: Company, groups: list) -> None:
        """All the company's readings of the batch in one transaction; if that fails for
        another reason than the database, one transaction per device, to keep the others."""
        try:
            with transaction.atomic():
                reports = [self._ingest(device, group) for device, group in groups]
        except (OperationalError, InterfaceError):
            raise
        except Exception:
            reports = [self._ingest_alone(company, device, group) for device, group in groups]
        for (device, group), report in zip(groups, reports, strict=True):
            self._done(company, device, group, report)

    def _ingest(self, device: Device, group: list[Parsed]) -> IngestReport:
        items = [item for parsed in group for item in parsed.items]
        return readings_ingest(device=device, items=items, origin=Transport.MQTT)

    def _ingest_alone(self, company: Company, device: Device, group: list[Parsed]) -> IngestReport | None:
        try:
            return self._ingest(device, group)
        except (OperationalError, InterfaceError):
            raise
        except Exception:
            logger.exception("MQTT readings of device %s in %s not stored", device.pk, company.slug)
            return None

    def _done(self, company: Company, device: Device, group: list[Parsed], report: IngestReport | None):
        if report is None:
            self.counters.add(dropped=len(group))
        else:
            self.counters.add(stored=report.added, duplicates=report.duplicates, refused=len(report.rejected))
            if report.rejected:
                logger.info(
                    "%d readings of device %s in %s refused (kept as its device errors)",
                    len(report.rejected),
                    device.pk,
                    company.slug,
                )
        for parsed in group:
            self.ingester.ack(parsed.message)

    def _retrying(self, work: Callable):
        """``work()``, again and again while the database is unavailable (nothing is
        acknowledged meanwhile: the broker keeps the rest)."""
        delay = 1
        while True:
            try:
                return work()
            except (OperationalError, InterfaceError) as error:
                logger.warning("Database unavailable (%s); retrying in %d s", error, delay)
                connection.close()
                if self.ingester.sleep(delay):
                    raise Interrupted from error
                delay = min(delay * 2, DB_RETRY_MAX_SECONDS)

    def _drop(self, message: Incoming, reason: str) -> None:
        logger.warning("MQTT message on %r dropped: %s", message.topic[:200], reason)
        self.counters.add(dropped=1)
        self.ingester.ack(message)


def _runs(group: list[Parsed]):
    """Consecutive messages of at most MAX_BATCH readings together."""
    run, size = [], 0
    for parsed in group:
        if run and size + len(parsed.items) > MAX_BATCH:
            yield run
            run, size = [], 0
        run.append(parsed)
        size += len(parsed.items)
    if run:
        yield run
