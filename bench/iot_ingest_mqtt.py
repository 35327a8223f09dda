"""MQTT ingestion benchmark: a steady rate of QoS 1 readings for a while, none lost.

    .venv/bin/python bench/iot_ingest_mqtt.py [--rate 500] [--seconds 60] [--devices 10]
                                              [--url mqtt://127.0.0.1:1883]

Runs against the benchmark database (`triboka_bench` beside DATABASE_URL's, or
BENCH_DATABASE_URL; created and migrated when missing) and the company `bench-mqtt`, with
--devices scales of its own (`BENCH-MQTT-<n>`, new keys each run). bench/iot_ingest.py
--mqtt calls ``run_mqtt_load(company=..., device=..., key=...)`` with its one scale instead.

It starts `manage.py mqtt_ingest` as a subprocess (a client id and topic prefix of this run
only), publishes probe readings until one is stored (the ingester is subscribed and
running), then publishes --rate messages a second for --seconds on one QoS 1 connection,
round robin over the scales, one reading each with an id and the time it was sent as
``measured_at``. Then it waits until the ingester has stored them all (or stops storing) and
counts the run's readings in the database: sent (acknowledged by the broker), stored,
lost, the rate achieved, the end-to-end latency (``measured_at``, when it was published, to
``received_at``, when its batch was stored) p50/p95/p99/max, and the ingester's peak RSS
and its CPU time under the load.
"""

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLUG = "bench-mqtt"
INGESTER_LOG = Path("/tmp/triboka-mqtt-bench-ingest.log")
DEFAULT_URL = "mqtt://127.0.0.1:1883"


def say(message: str) -> None:
    print(message, flush=True)


# --- set-up ------------------------------------------------------------------------------------


def ensure_django() -> None:
    """The benchmark database, migrated once, unless the caller has set Django up already."""
    from django.apps import apps

    if not apps.ready:
        from bench.provision import bench_django_migrated

        bench_django_migrated(say=say)


def ensure_company():
    from bench.provision import bench_company

    return bench_company(slug=SLUG, name="Bench MQTT", ruc_seed=990_002, say=say)


def bench_scales(company, count: int) -> list[tuple]:
    """[(device, key)]: the benchmark's scales, each with a new key."""
    from django_tenants.utils import tenant_context

    from iot.models import Device
    from iot.services import device_key_rotate, device_register

    scales = []
    with tenant_context(company):
        for n in range(1, count + 1):
            device = Device.objects.filter(serial_number=f"BENCH-MQTT-{n}").first()
            if device is None:
                scales.append(
                    device_register(
                        user=None, name=f"MQTT {n}", serial_number=f"BENCH-MQTT-{n}", kind="scale"
                    )
                )
            else:
                scales.append((device, device_key_rotate(device=device)))
    return scales


# --- the ingester and the publisher -------------------------------------------------------------


def start_ingester(url: str, run: str, workers: int | None) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_READ_DOT_ENV": "0", "LOG_LEVEL": "WARNING"}
    command = [sys.executable, "manage.py", "mqtt_ingest", "--url", url, "--client-id", f"bench-{run}"]
    command += ["--prefix", f"bench-{run}", "--report-every", "10"]
    command += ["--workers", str(workers)] if workers else []
    log = INGESTER_LOG.open("w")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


def publisher(url: str, client_id: str = ""):
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    from iot.mqtt import Broker

    broker = Broker.from_url(url)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311)
    if broker.username:
        client.username_pw_set(broker.username, broker.password)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(broker.host, broker.port)
    client.loop_start()
    return client


def forget_session(url: str, client_id: str) -> None:
    """The run's session at the broker, removed (a clean start that expires at once)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    from iot.mqtt import Broker

    broker = Broker.from_url(url)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    if broker.username:
        client.username_pw_set(broker.username, broker.password)
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 0
    client.connect(broker.host, broker.port, clean_start=True, properties=properties)
    client.loop_start()
    time.sleep(0.3)
    client.disconnect()
    client.loop_stop()


def message(key: str, reading_id: str, n: int) -> bytes:
    body = {"key": key, "id": reading_id, "net_kg": 1000 + n % 500, "moisture": "7,1"}
    body["measured_at"] = datetime.now(UTC).isoformat()
    return json.dumps(body).encode()


def stored(company, devices: list, prefix: str) -> int:
    from django_tenants.utils import tenant_context

    from iot.models import Reading

    with tenant_context(company):
        return Reading.objects.filter(device__in=devices, key__startswith=f"m:{prefix}").count()


def wait_ready(client, company, scale, run: str, process, seconds: float = 60) -> None:
    """Probes until one is stored: the ingester is up, subscribed and storing."""
    device, key = scale
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mqtt_ingest exited; see {INGESTER_LOG}")
        client.publish(
            f"bench-{run}/{company.slug}/{device.pk}/readings", message(key, f"probe-{run}-{n}", n), qos=1
        )
        n += 1
        time.sleep(0.5)
        if stored(company, [device], f"probe-{run}-"):
            return
    raise RuntimeError(f"mqtt_ingest stored no probe in {seconds:.0f} s; see {INGESTER_LOG}")


def publish_steady(client, slug: str, scales: list, rate: float, seconds: float, run: str) -> dict:
    """Open loop: message n is due at n / rate; returns what the broker acknowledged."""
    total, infos, worst_late = int(rate * seconds), [], 0.0
    topics = [f"bench-{run}/{slug}/{device.pk}/readings" for device, _key in scales]
    started = time.perf_counter()
    for n in range(total):
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        else:
            worst_late = max(worst_late, -delay)
        _device, key = scales[n % len(scales)]
        infos.append(client.publish(topics[n % len(scales)], message(key, f"{run}-{n}", n), qos=1))
        if n and n % int(rate * 10) == 0:
            say(f"  {n:,} published ({time.perf_counter() - started:.0f} s)")
    sending = time.perf_counter() - started
    for info in infos:
        if info.rc == 0 and not info.is_published():
            info.wait_for_publish(10)
    acked = sum(1 for info in infos if info.rc == 0 and info.is_published())
    return {"total": total, "acked": acked, "sending_s": sending, "late_ms": worst_late * 1000}


def wait_drained(
    company, devices: list, run: str, expected: int, quiet_seconds: float = 15
) -> tuple[int, float]:
    """(readings stored, seconds it took after the last publication)."""
    started, count, last_change = time.perf_counter(), -1, time.perf_counter()
    while True:
        now_count = stored(company, devices, f"{run}-")
        if now_count != count:
            count, last_change = now_count, time.perf_counter()
        if count >= expected or time.perf_counter() - last_change > quiet_seconds:
            return count, time.perf_counter() - started
        time.sleep(0.25)


def latencies(company, devices: list, run: str) -> tuple[float, ...]:
    """p50, p95, p99, max of received_at - measured_at, in ms."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    with tenant_context(company), connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY lag), max(lag) "
            "FROM (SELECT EXTRACT(EPOCH FROM received_at - measured_at) * 1000 AS lag FROM iot_reading "
            "WHERE device_id = ANY(%s) AND key LIKE %s) AS lags",
            [[device.pk for device in devices], f"m:{run}-%"],
        )
        percentiles, worst = cursor.fetchone()
    return (*(float(p) for p in percentiles or (0, 0, 0)), float(worst or 0))


def process_figures(pid: int) -> tuple[float, float]:
    """(peak RSS in MB, CPU seconds) of a running process, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    peak_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return peak_kb / 1024, cpu


# --- the run ------------------------------------------------------------------------------------


def run_mqtt_load(
    *,
    company=None,
    device=None,
    key: str | None = None,
    rate: float = 500,
    seconds: float = 60,
    devices: int = 10,
    url: str | None = None,
    workers: int | None = None,
) -> dict:
    """The figures of one run (label -> value), for bench/iot_ingest.py's report or ours.
    With ``device`` and ``key`` it publishes for that one device, else for ``devices`` scales
    of ``company`` (default: bench-mqtt)."""
    ensure_django()
    url = url or os.environ.get("MQTT_URL") or DEFAULT_URL
    company = company or ensure_company()
    scales = [(device, key)] if device is not None else bench_scales(company, devices)
    run = uuid.uuid4().hex[:10]
    say(f"MQTT: {rate:g} messages/s for {seconds:g} s to {len(scales)} device(s) of {company.slug} via {url}")
    process = start_ingester(url, run, workers)
    client = publisher(url)
    try:
        wait_ready(client, company, scales[0], run, process)
        _rss, cpu_before = process_figures(process.pid)
        sent = publish_steady(client, company.slug, scales, rate, seconds, run)
        count, drain = wait_drained(company, [d for d, _k in scales], run, sent["acked"])
        peak_rss, cpu = process_figures(process.pid)
        cpu -= cpu_before
    finally:
        client.disconnect()
        client.loop_stop()
        stop(process)
        forget_session(url, f"bench-{run}")
    p50, p95, p99, worst = latencies(company, [d for d, _k in scales], run)
    elapsed = sent["sending_s"] + drain
    rate_sent = sent["total"] / sent["sending_s"]
    return {
        "sent (acknowledged by the broker)": f"{sent['acked']:,} of {sent['total']:,}",
        "stored": f"{count:,}",
        "lost": f"{sent['acked'] - count:,}",
        "publish rate": f"{rate_sent:.1f} msg/s (worst lateness {sent['late_ms']:.0f} ms)",
        "stored rate": f"{count / elapsed:.1f} readings/s (drained {drain:.1f} s after the last)",
        "latency published -> stored": f"p50 {p50:.1f} ms, p95 {p95:.1f}, p99 {p99:.1f}, max {worst:.0f}",
        "ingester peak RSS": f"{peak_rss:.0f} MB",
        "ingester CPU under load": f"{cpu:.1f} s ({cpu / elapsed * 100:.0f}% of one core)",
        "ingester's last counters": last_counters(),
    }


def last_counters() -> str:
    lines = [
        line for line in INGESTER_LOG.read_text().splitlines() if line.startswith("mqtt_ingest: received")
    ]
    return lines[-1].removeprefix("mqtt_ingest: ") if lines else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=500, help="messages per second")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--devices", type=int, default=10, help="scales the messages go round robin to")
    parser.add_argument("--url", default="", help=f"broker (MQTT_URL, else {DEFAULT_URL})")
    parser.add_argument("--workers", type=int, default=None, help="mqtt_ingest --workers (its default)")
    args = parser.parse_args()
    figures = run_mqtt_load(
        rate=args.rate, seconds=args.seconds, devices=args.devices, url=args.url or None, workers=args.workers
    )
    say("\n| MQTT | figure |\n| --- | --- |")
    for label, value in figures.items():
        say(f"| {label} | {value} |")


if __name__ == "__main__":
    main()
