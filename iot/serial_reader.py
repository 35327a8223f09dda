"""RS232 serial: the continuous output of a weighing indicator, read line by line, and its
stable weights sent to ``readings_ingest`` like every other transport's readings.

Indicators print what they show many times a second, e.g. ``ST,GS,+  1234.5 kg`` (stable,
gross) or ``US,NT,-    12.0kg`` (unstable, net). Four layers, each testable alone:

- ``frame_parse``: one line -> a ``Frame`` (or None when it cannot be read);
- ``StableWeights``: frames -> the ones that become readings (one per weighing);
- ``SerialSession.feed``: lines -> readings stored, for one device;
- ``serial_read``: the port loop (any pyserial URL: ``/dev/ttyUSB0``, ``/dev/pts/N``,
  ``socket://host:port``, ``loop://``), reconnecting when the port disappears.

This module is not ``iot/serial.py``: that name would shadow pyserial's ``serial`` package.
"""

import logging
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from enum import Enum

import serial
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, tenant_context

from triboka.errors import ApplicationError

from .line_patterns import DEFAULT_PATTERN, line_pattern
from .models import Device, Transport
from .services import IngestReport, LotFinder, device_error_record, readings_ingest
from .values import decimal_from

logger = logging.getLogger(__name__)

# Indicators often wrap a line in STX/ETX or pad it with NULs; they are not part of it.
STRIPPED = "".join(chr(code) for code in range(33)) + "\x7f"
MAX_LINE_BYTES = 4096  # a wrong baud rate may never produce a line end
DEFAULT_RESOLUTION_KG = Decimal("0.1")
GARBAGE_BURST = 20  # unreadable lines in a row recorded as one device error ...
GARBAGE_REPORT_EVERY = timedelta(minutes=15)  # ... at most this often


class Stability(Enum):
    STABLE = "stable"
    UNSTABLE = "unstable"
    OVERLOAD = "overload"


class Mode(Enum):
    """What the indicator shows; the value is the reading's field."""

    GROSS = "gross_kg"
    NET = "net_kg"
    TARE = "tare_kg"


STABILITY_CODES = {
    "ST": Stability.STABLE,
    "S": Stability.STABLE,
    "US": Stability.UNSTABLE,
    "U": Stability.UNSTABLE,
    "M": Stability.UNSTABLE,  # "motion"
    "MO": Stability.UNSTABLE,
    "OL": Stability.OVERLOAD,
    "O": Stability.OVERLOAD,
}
MODE_CODES = {
    "GS": Mode.GROSS,
    "G": Mode.GROSS,
    "B": Mode.GROSS,  # "bruto"
    "NT": Mode.NET,
    "N": Mode.NET,
    "TR": Mode.TARE,
    "T": Mode.TARE,
}
KG_PER_UNIT = {
    "kg": Decimal("1"),
    "g": Decimal("0.001"),
    "lb": Decimal("0.45359237"),  # exact, by the international yard and pound agreement
    "lbs": Decimal("0.45359237"),
    "t": Decimal("1000"),
}


@dataclass(frozen=True)
class Frame:
    """One line as the indicator meant it; the weight in kg (None when overloaded)."""

    stability: Stability
    mode: Mode
    weight_kg: Decimal | None
    line: str


def frame_parse(line: str, pattern: re.Pattern = DEFAULT_PATTERN) -> Frame | None:
    """The line's frame, or None when the line does not match or names an unknown code or unit."""
    text = line.strip(STRIPPED)
    match = pattern.search(text)
    if match is None:
        return None
    groups = match.groupdict()
    stability = STABILITY_CODES.get((groups.get("stability") or "ST").upper())
    mode = MODE_CODES.get((groups.get("mode") or "NT").upper())
    factor = KG_PER_UNIT.get((groups.get("unit") or "kg").lower())
    if stability is None or mode is None or factor is None:
        return None
    if stability is Stability.OVERLOAD:
        return Frame(stability, mode, None, text)
    try:
        weight = decimal_from(groups.get("weight"))
    except ValueError:
        return None
    if weight is None:
        return None
    if groups.get("sign") == "-":
        weight = -weight
    return Frame(stability, mode, weight * factor, text)


class StableWeights:
    """Which frames become readings: one per weighing, not the many a second the indicator
    prints. A stable weight is sent once; it is sent again only when it changed by more than
    ``resolution_kg`` (or the mode changed), or after the scale moved (unstable), was
    overloaded or went back to zero. Tare frames show the container, not a load: skipped.

    ``counts`` says what became of each frame: sent, repeated, unstable, zero, tare,
    overload, unreadable."""

    def __init__(self, resolution_kg: Decimal = DEFAULT_RESOLUTION_KG):
        self.resolution_kg = resolution_kg
        self.last_sent: Frame | None = None
        self.counts: Counter = Counter()

    def feed(self, frame: Frame | None) -> bool:
        """True when the frame is to become a reading."""
        verdict = self._verdict(frame)
        self.counts[verdict] += 1
        return verdict == "sent"

    def _verdict(self, frame: Frame | None) -> str:
        if frame is None:
            return "unreadable"
        if frame.stability is not Stability.STABLE:
            self.last_sent = None  # the load moved: its next stable weight is a new weighing
            return frame.stability.value
        if frame.mode is Mode.TARE:
            return "tare"
        if frame.weight_kg <= self.resolution_kg:
            self.last_sent = None
            return "zero"
        if self._repeats(frame):
            return "repeated"
        self.last_sent = frame
        return "sent"

    def _repeats(self, frame: Frame) -> bool:
        last = self.last_sent
        return (
            last is not None
            and last.mode is frame.mode
            and abs(frame.weight_kg - last.weight_kg) <= self.resolution_kg
        )


class ReaderEvents:
    """What the reader tells its caller (the command prints it). No-ops here."""

    def connected(self, url: str) -> None:
        pass

    def lost(self, url: str, error: Exception, retry_in: float) -> None:
        pass

    def reading(self, frame: Frame, report: IngestReport) -> None:
        pass


@dataclass
class ReaderStats:
    lines: int = 0
    sent: int = 0
    added: int = 0
    duplicates: int = 0
    rejected: int = 0
    connections: int = 0
    failures: int = 0
    frames: Counter = field(default_factory=Counter)


class SerialSession:
    """One device's indicator lines -> readings, in the company schema it was made in.
    Build it with ``serial_session``."""

    def __init__(self, *, device: Device, pattern: re.Pattern, lot: str | None, resolution_kg, events):
        self.device, self.pattern, self.lot = device, pattern, lot
        self.events = events or ReaderEvents()
        self.tenant = connection.tenant
        self.weights = StableWeights(resolution_kg)
        self.stats = ReaderStats(frames=self.weights.counts)
        self._unreadable = 0  # in a row
        self._unreadable_sample: deque[str] = deque(maxlen=5)
        self._unreadable_reported_at = None

    def feed(self, line: str) -> IngestReport | None:
        """The line read; the report of the reading it made, if it made one."""
        self.stats.lines += 1
        frame = frame_parse(line, self.pattern)
        if frame is None:
            self._unreadable_seen(line)
        else:
            self._unreadable = 0
        if not self.weights.feed(frame):
            logger.debug("%s: skipped %r", self.device, line)
            return None
        return self._send(frame)

    def _send(self, frame: Frame) -> IngestReport:
        if not connection.in_atomic_block:  # a reader runs for weeks: the database may have restarted
            close_old_connections()
        self.device.refresh_from_db()  # its calibration or capacity may have changed meanwhile
        if not self.device.is_active:
            raise ApplicationError(_("Device %(name)s was deactivated.") % {"name": self.device.name})
        item = {frame.mode.value: frame.weight_kg, "measured_at": timezone.now(), "line": frame.line}
        if self.lot:
            item["lot"] = self.lot
        report = readings_ingest(device=self.device, items=[item], origin=Transport.SERIAL)
        self.stats.sent += 1
        self.stats.added += report.added
        self.stats.duplicates += report.duplicates
        self.stats.rejected += len(report.rejected)
        self.events.reading(frame, report)
        return report

    def _unreadable_seen(self, line: str) -> None:
        """A burst of unreadable lines (a wrong baud rate or pattern, a bad cable) becomes
        one device error for the device's health page, at most every GARBAGE_REPORT_EVERY."""
        self._unreadable += 1
        self._unreadable_sample.append(line[:200])
        now = timezone.now()
        recent = self._unreadable_reported_at and now - self._unreadable_reported_at < GARBAGE_REPORT_EVERY
        if self._unreadable < GARBAGE_BURST or recent:
            return
        message = _(
            "%(count)d lines in a row from the indicator could not be read "
            "(check the baud rate, parity and line pattern)."
        ) % {"count": self._unreadable}
        logger.warning("%s: %s", self.device, message)
        device_error_record(
            device=self.device,
            origin=Transport.SERIAL,
            message=message,
            raw={"lines": list(self._unreadable_sample)},
        )
        self._unreadable, self._unreadable_reported_at = 0, now


def serial_session(
    *,
    device_id: int,
    pattern: str | None = None,
    lot: str | None = None,
    resolution_kg: Decimal = DEFAULT_RESOLUTION_KG,
    events: ReaderEvents | None = None,
) -> SerialSession:
    """A session for an active device of the current company. ``pattern`` overrides the
    device's own. ApplicationError (device, schema) or ValueError (pattern, lot) with a
    message for the user."""
    if connection.schema_name == get_public_schema_name():
        raise ApplicationError(_("Read a serial port inside a company's schema."))
    device = Device.objects.select_related("location").filter(pk=device_id).first()
    if device is None:
        raise ApplicationError(_("There is no device %(id)s in this company.") % {"id": device_id})
    if not device.is_active:
        raise ApplicationError(_("Device %(name)s is inactive.") % {"name": device.name})
    compiled = line_pattern(pattern if pattern else device.serial_pattern)
    if lot:
        LotFinder(device).lot_id(lot)  # ValueError: no such lot, or another center's
    return SerialSession(device=device, pattern=compiled, lot=lot, resolution_kg=resolution_kg, events=events)


def lines_ingest(lines: Iterable[str], *, session: SerialSession) -> ReaderStats:
    """Lines as an indicator printed them, through the session (tests, files of captures)."""
    for line in lines:
        session.feed(line)
    return session.stats


# --- the port ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PortSettings:
    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1
    timeout: float = 0.2  # how long a read waits: how soon the loop notices a stop


@dataclass(frozen=True)
class Backoff:
    """Seconds before reopening a lost port: doubling from ``first`` up to ``most``."""

    first: float = 1.0
    most: float = 30.0

    def delay(self, attempt: int) -> float:
        return min(self.most, self.first * 2 ** max(0, attempt - 1))


def port_open(url: str, settings: PortSettings):
    """The port as pyserial opens any URL; ``exclusive`` keeps a second reader off a real port."""
    return serial.serial_for_url(
        url,
        baudrate=settings.baudrate,
        bytesize=settings.bytesize,
        parity=settings.parity,
        stopbits=settings.stopbits,
        timeout=settings.timeout,
        exclusive=True,
    )


def port_lines(port, keep_going: Callable[[], bool]) -> Iterator[str]:
    """Lines of the port, ended by CR, LF or both, without control characters, while
    ``keep_going()``. Reads what is waiting (at least one byte): a larger read would lose
    the bytes it got when the port then disappears."""
    buffer = b""
    while keep_going():
        chunk = port.read(port.in_waiting or 1)
        if not chunk:
            continue
        *lines, buffer = re.split(rb"[\r\n]", buffer + chunk)
        if len(buffer) > MAX_LINE_BYTES:
            lines, buffer = [*lines, buffer], b""
        for raw in lines:
            text = raw.decode("ascii", errors="replace").strip(STRIPPED)
            if text:
                yield text


def serial_read(
    session: SerialSession,
    *,
    url: str,
    settings: PortSettings | None = None,
    stop: threading.Event | None = None,
    max_readings: int | None = None,
    max_seconds: float | None = None,
    backoff: Backoff | None = None,
) -> ReaderStats:
    """Read the port until ``stop`` is set (or max_readings were sent, or max_seconds have
    passed), reopening it whenever it disappears. The session's state carries over a
    reconnection, so a load standing on the scale is not sent again."""
    settings, stop, backoff = settings or PortSettings(), stop or threading.Event(), backoff or Backoff()
    deadline = None if max_seconds is None else time.monotonic() + max_seconds

    def keep_going() -> bool:
        if stop.is_set() or (max_readings is not None and session.stats.sent >= max_readings):
            return False
        return deadline is None or time.monotonic() < deadline

    with tenant_context(session.tenant):
        attempt = 0
        while keep_going():
            lines_before = session.stats.lines
            try:
                _read_once(session, url, settings, keep_going)
            except (serial.SerialException, OSError) as error:
                # Lines flowed before this outage: it starts again from the first delay.
                attempt = 1 if session.stats.lines > lines_before else attempt + 1
                session.stats.failures += 1
                delay = backoff.delay(attempt)
                if deadline is not None:
                    delay = max(0.0, min(delay, deadline - time.monotonic()))
                logger.warning("%s: %s; retrying in %.1f s (attempt %d)", url, error, delay, attempt)
                session.events.lost(url, error, delay)
                stop.wait(delay)
    return session.stats


def _read_once(session: SerialSession, url: str, settings: PortSettings, keep_going) -> None:
    """One connection, read until it is lost (SerialException, OSError) or the reader stops."""
    with port_open(url, settings) as port:
        session.stats.connections += 1
        logger.info("%s: reading %s", session.device, url)
        session.events.connected(url)
        for line in port_lines(port, keep_going):
            if not keep_going():  # a chunk may hold several lines: none after the last reading asked for
                return
            session.feed(line)
