"""RS232 serial readings: parsing indicator lines, one reading per weighing, and the reader
end to end on a pseudo-terminal and on a TCP port that disappears and comes back.

The reader runs in the test's own thread (its readings are stored on the test's database
connection, inside the test's transaction); helper threads play the indicator."""

import io
import itertools
import os
import re
import signal
import socket
import threading
import time
from decimal import Decimal

import pytest
import serial
from django.core.management import CommandError, call_command
from django.utils import translation
from django_tenants.utils import tenant_context

from iot.models import DeviceError, Reading
from iot.serial_reader import (
    DEFAULT_PATTERN,
    Backoff,
    Mode,
    ReaderEvents,
    Stability,
    StableWeights,
    frame_parse,
    line_pattern,
    lines_ingest,
    port_lines,
    serial_read,
    serial_session,
)
from iot.services import device_set_active
from triboka.errors import ApplicationError

# --- lines and weighings (no database) -------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "stability", "mode", "weight"),
    [
        ("ST,GS,+  1234.5 kg", Stability.STABLE, Mode.GROSS, "1234.5"),
        ("US,NT,-    12.0kg", Stability.UNSTABLE, Mode.NET, "-12.0"),
        ("ST,NT,+001234,5kg", Stability.STABLE, Mode.NET, "1234.5"),
        ("\x02ST,GS,+  1234.5 kg\x03\r\n", Stability.STABLE, Mode.GROSS, "1234.5"),
        ("st,gs+1234.5KG", Stability.STABLE, Mode.GROSS, "1234.5"),
        ("ST,TR,+    20.0 kg", Stability.STABLE, Mode.TARE, "20.0"),
        ("ST,GS,+     500 g", Stability.STABLE, Mode.GROSS, "0.5"),
        ("ST,GS,+     100 lb", Stability.STABLE, Mode.GROSS, "45.359237"),
        ("ST,GS,+     1.5 t", Stability.STABLE, Mode.GROSS, "1500"),
        ("ST,GS,+    1200", Stability.STABLE, Mode.GROSS, "1200"),
        ("OL,GS,+ ------ kg", Stability.OVERLOAD, Mode.GROSS, None),
        ("OL,NT,+", Stability.OVERLOAD, Mode.NET, None),
    ],
)
def test_the_default_pattern_reads_common_indicator_lines(line, stability, mode, weight):
    frame = frame_parse(line)
    assert (frame.stability, frame.mode) == (stability, mode)
    assert frame.weight_kg == (None if weight is None else Decimal(weight))


@pytest.mark.parametrize(
    "line", ["", "hello", "ST,XX,+ 12.0 kg", "ST,GS,+ 12.0 oz", "ST,GS,+ kg", "ST,GS,+ 12.0.0 kg", "\xff\xfe"]
)
def test_lines_that_are_not_indicator_output_are_unreadable(line):
    assert frame_parse(line) is None


def test_a_device_pattern_with_only_a_weight_reads_stable_net_kilograms():
    pattern = line_pattern(r"W:\s*(?P<weight>[\d.,]+)")
    frame = frame_parse("W: 1234,5", pattern)
    assert (frame.stability, frame.mode, frame.weight_kg) == (Stability.STABLE, Mode.NET, Decimal("1234.5"))
    own = line_pattern(r"(?P<stability>[SM])\s+(?P<weight>\d+)\s*(?P<unit>lb)")
    assert frame_parse("M 100 lb", own).stability is Stability.UNSTABLE
    assert frame_parse("S 100 lb", own).weight_kg == Decimal("45.359237")


def test_a_line_pattern_must_be_a_regular_expression_with_a_weight_group():
    assert line_pattern("") is DEFAULT_PATTERN and line_pattern(None) is DEFAULT_PATTERN
    with translation.override("en"):
        with pytest.raises(ValueError, match="not a valid regular expression"):
            line_pattern("(?P<weight>")
        with pytest.raises(ValueError, match="group named weight"):
            line_pattern(r"\d+")


def sent(lines, weights=None):
    weights = weights or StableWeights(Decimal("0.1"))
    return [frame.line for frame in map(frame_parse, lines) if weights.feed(frame)]


def test_a_stable_weight_is_sent_once_and_again_after_it_changed_or_the_scale_moved():
    lines = [
        "US,GS,+   812.0 kg",  # the load is moving
        "ST,GS,+  1234.5 kg",  # sent
        "ST,GS,+  1234.5 kg",
        "garbage",  # noise on the line does not make the weight new
        "ST,GS,+  1234.6 kg",  # within the resolution
        "ST,GS,+  1250.0 kg",  # changed: sent
        "US,GS,+  1250.0 kg",
        "ST,GS,+  1250.0 kg",  # stable again after moving: sent
        "ST,NT,+  1250.0 kg",  # net now: sent
        "ST,GS,+     0.0 kg",  # back to zero
        "ST,GS,+  1250.0 kg",  # sent
        "OL,GS,+ ------ kg",
        "ST,TR,+    20.0 kg",  # a tare is not a load
        "ST,GS,+  1250.0 kg",  # after the overload: sent
        "ST,GS,-    30.0 kg",  # below zero: not a load
    ]
    weights = StableWeights(Decimal("0.1"))
    assert sent(lines, weights) == [lines[1], lines[5], lines[7], lines[8], lines[10], lines[13]]
    assert weights.counts == {
        "sent": 6,
        "repeated": 2,
        "unstable": 2,
        "zero": 2,
        "overload": 1,
        "tare": 1,
        "unreadable": 1,
    }


def test_port_lines_end_at_cr_or_lf_without_control_characters():
    port = serial.serial_for_url("loop://", timeout=0.05)
    port.write(b"\x02ST,GS,+  1.0 kg\x03\rST,GS,+  2.0 kg\r\n\r\nUS,GS,+  3.0 kg\n")
    deadline = time.monotonic() + 0.5  # then no fourth line: empty lines are dropped
    assert list(itertools.islice(port_lines(port, lambda: time.monotonic() < deadline), 4)) == [
        "ST,GS,+  1.0 kg",
        "ST,GS,+  2.0 kg",
        "US,GS,+  3.0 kg",
    ]
    port.close()


# --- readings ----------------------------------------------------------------------------------


def readings_of(scale):
    with tenant_context(scale.world.company):
        return list(Reading.objects.filter(device=scale.device).order_by("id"))


def session_for(scale, **options):
    with tenant_context(scale.world.company):
        return serial_session(device_id=scale.device.pk, **options)


def test_a_burst_of_unreadable_lines_is_one_device_error_and_refused_weights_are_kept_as_errors(scale_a):
    session = session_for(scale_a)
    with tenant_context(scale_a.world.company):
        lines_ingest(["\x00\xff~~"] * 25 + ["ST,GS,+  50.0 kg"] + ["???"] * 25, session=session)
        assert DeviceError.objects.filter(device=scale_a.device).count() == 1  # not one a line
        lines_ingest(["ST,GS,+ 70000.0 kg"], session=session)  # above the scale's 60,000 kg
        assert DeviceError.objects.filter(device=scale_a.device).count() == 2
    assert session.stats.frames["unreadable"] == 50
    assert (session.stats.sent, session.stats.added, session.stats.rejected) == (2, 1, 1)
    assert [r.net_kg for r in readings_of(scale_a)] == [Decimal("50.00")]


def test_a_device_deactivated_while_reading_stops_the_reader(scale_a):
    session = session_for(scale_a)
    with tenant_context(scale_a.world.company):
        device_set_active(device=scale_a.device, active=False)
        with pytest.raises(ApplicationError):
            lines_ingest(["ST,GS,+  50.0 kg"], session=session)
    assert readings_of(scale_a) == []


class Signals(ReaderEvents):
    def __init__(self):
        self.connected_now = threading.Event()

    def connected(self, url):
        self.connected_now.set()


@pytest.fixture
def pty_port():
    """A pseudo-terminal pair: the reader opens the slave's /dev/pts/N, the test writes the
    indicator's output to the master."""
    master, slave = os.openpty()
    os.set_blocking(master, False)  # a writer never hangs on a full buffer
    yield master, os.ttyname(slave)
    os.close(master)
    os.close(slave)


def write(fd, line: str) -> None:
    try:
        os.write(fd, line.encode() + b"\r\n")
    except BlockingIOError:
        pass


def in_thread(target) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_stable_lines_on_a_serial_port_become_one_serial_reading_per_weighing(scale_a, pty_port):
    master, port_name = pty_port
    lot = scale_a.world.lots["center"]
    signals = Signals()
    session = session_for(scale_a, lot=lot.code, events=signals)
    lines = ["US,GS,+   812.0 kg", *["ST,GS,+  1234.5 kg"] * 5, "US,GS,+   400.0 kg", "ST,GS,+     0.0 kg"]
    lines += ["ST,NT,+  2000,0 kg"] * 3

    def indicator():
        signals.connected_now.wait(5)  # pyserial empties the input buffer when it opens the port
        for line in lines:
            write(master, line)
            time.sleep(0.005)

    writer = in_thread(indicator)
    stats = serial_read(session, url=port_name, max_readings=2, max_seconds=5)
    writer.join(5)
    rows = readings_of(scale_a)
    assert [(r.gross_kg, r.net_kg) for r in rows] == [
        (Decimal("1234.50"), Decimal("1234.50")),
        (None, Decimal("2000.00")),
    ]
    assert {r.origin for r in rows} == {"serial"} and {r.lot_id for r in rows} == {lot.pk}
    assert rows[0].raw["line"] == "ST,GS,+  1234.5 kg"
    assert stats.frames["repeated"] == 4 and stats.frames["unstable"] == 2
    with tenant_context(scale_a.world.company):
        lot.refresh_from_db()
        assert lot.weight_kg == Decimal("2000")


def test_the_reader_reconnects_when_the_port_disappears(scale_a):
    server = socket.create_server(("127.0.0.1", 0))
    signals = Signals()
    session = session_for(scale_a, events=signals)

    def indicator():
        for weight in ("1000.0", "2000.0"):
            connection, _address = server.accept()
            with connection:  # closed after its lines: the port disappears
                signals.connected_now.wait(5)
                signals.connected_now.clear()
                connection.sendall(
                    f"US,GS,+ 10.0 kg\r\nST,GS,+ {weight} kg\r\nST,GS,+ {weight} kg\r\n".encode()
                )

    writer = in_thread(indicator)
    url = f"socket://127.0.0.1:{server.getsockname()[1]}"
    stats = serial_read(
        session, url=url, max_readings=2, max_seconds=10, backoff=Backoff(first=0.05, most=0.2)
    )
    writer.join(5)
    server.close()
    assert stats.connections == 2 and stats.failures >= 1
    assert [r.net_kg for r in readings_of(scale_a)] == [Decimal("1000.00"), Decimal("2000.00")]


# --- the command -------------------------------------------------------------------------------


def read_serial(*args, out=None) -> str:
    out = out or io.StringIO()
    with translation.override("en"):
        call_command("read_serial", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_refuses_bad_arguments_with_clear_messages(scale_a):
    slug, device = scale_a.world.company.slug, str(scale_a.device.pk)
    cases = [
        (["--company", "nope", "--device", device], "No company has the subdomain 'nope'."),
        (["--company", slug, "--device", "999999"], "There is no device 999999 in this company."),
        (["--company", slug, "--device", device, "--pattern", "("], "not a valid regular expression"),
        (["--company", slug, "--device", device, "--pattern", r"\d+"], "needs a group named weight"),
        (["--company", slug, "--device", device, "--lot", "NO-SUCH"], "There is no lot NO-SUCH"),
        (["--company", slug, "--device", device, "--resolution", "abc"], "--resolution must be"),
    ]
    for args, message in cases:
        with pytest.raises(CommandError, match=re.escape(message)):
            read_serial(*args, "--port", "loop://")
    with tenant_context(scale_a.world.company):
        device_set_active(device=scale_a.device, active=False)
    with pytest.raises(CommandError, match="Báscula 1 is inactive"):
        read_serial("--company", slug, "--device", device, "--port", "loop://")


def test_the_command_stores_and_prints_stable_readings_until_its_limit(scale_a, pty_port):
    master, port_name = pty_port
    done = threading.Event()

    def indicator():  # prints the weight continuously, as indicators do
        while not done.is_set():
            write(master, "ST,GS,+  1234.5 kg")
            time.sleep(0.02)

    writer = in_thread(indicator)
    slug, device = scale_a.world.company.slug, str(scale_a.device.pk)
    try:
        out = read_serial(
            "--company",
            slug,
            "--device",
            device,
            "--port",
            port_name,
            "--max-readings",
            "1",
            "--seconds",
            "5",
        )
    finally:
        done.set()
        writer.join(5)
    assert f"Connected to {port_name}." in out
    assert "1234.50 kg gross: reading" in out and "1 readings added" in out
    assert [r.gross_kg for r in readings_of(scale_a)] == [Decimal("1234.50")]


def test_the_command_stops_cleanly_on_sigterm(scale_a, pty_port):
    master, port_name = pty_port
    out, done = io.StringIO(), threading.Event()

    def indicator():
        while not done.is_set():
            write(master, "ST,NT,+  812.0 kg")
            time.sleep(0.02)

    def service_manager():  # stops the reader once it has stored a reading
        deadline = time.monotonic() + 5
        while ": reading " not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGTERM)

    writer, killer = in_thread(indicator), in_thread(service_manager)
    slug, device = scale_a.world.company.slug, str(scale_a.device.pk)
    started, handler = time.monotonic(), signal.getsignal(signal.SIGTERM)
    try:
        read_serial("--company", slug, "--device", device, "--port", port_name, "--seconds", "20", out=out)
    finally:
        done.set()
        writer.join(5)
        killer.join(5)
    assert time.monotonic() - started < 10
    assert "Stopped:" in out.getvalue() and "1 readings added" in out.getvalue()
    assert signal.getsignal(signal.SIGTERM) is handler  # the previous handler is back
    assert [r.net_kg for r in readings_of(scale_a)] == [Decimal("812.00")]


def test_a_missing_port_is_retried_with_a_growing_delay_until_the_reader_stops(scale_a, caplog):
    session = session_for(scale_a)
    backoff = Backoff(first=0.05, most=0.2)
    assert [backoff.delay(attempt) for attempt in (1, 2, 3, 4, 5)] == [0.05, 0.1, 0.2, 0.2, 0.2]
    with caplog.at_level("WARNING", logger="iot.serial_reader"):
        stats = serial_read(session, url="/dev/no-such-tty", max_seconds=0.5, backoff=backoff)
    assert stats.connections == 0 and stats.failures >= 3
    assert "retrying in" in caplog.text and "(attempt 2)" in caplog.text
