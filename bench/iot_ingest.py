"""IoT ingestion benchmark: a 1,000,000-row Siemens CSV into one company, and REST batches.

    .venv/bin/python bench/iot_ingest.py [--rows 1000000] [--batches 60] [--singles 300]
                                         [--workers 2] [--skip-csv] [--skip-rest] [--mqtt]

Runs against the benchmark database (`triboka_bench` beside DATABASE_URL's, or
BENCH_DATABASE_URL; created and migrated when missing) and one company, `bench-iot`, with
one scale. Each run starts from an empty readings table in that company (TRUNCATE), so runs
compare.

CSV: writes a Siemens-style export (semicolon, decimal comma, Latin-1, `Fecha;Hora;Peso
neto (kg);Humedad (%);Temperatura (°C)`, one bad row in 10,000) to a temporary file, stores
it in the company's media like an upload, and imports it with `iot.csv_import.import_run`,
the code the Celery task runs (in this process, no broker), printing progress; reports
seconds, rows/s and the process's RSS (sampled at every batch: memory must stay flat).

REST: starts uvicorn (--workers) on 127.0.0.1 with the project's settings and sends, over
one keep-alive connection, --batches POSTs of 1,000 readings to /api/v1/iot/readings/ with
the device key (the whole stack: routing, license gate, authentication, validation,
insert), then --singles POSTs of one reading; reports readings/s and p50/p95 per request.

--mqtt adds the MQTT load of bench/iot_ingest_mqtt.py (``run_mqtt_load(company=..., device=...,
key=...) -> dict``) when that file is there; ``LOADS`` is where other parts plug in.
"""

import argparse
import http.client
import json
import os
import random
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api_load import free_port, start_server  # noqa: E402
from bench.provision import bench_company, bench_django_migrated, percentile  # noqa: E402

SLUG = "bench-iot"
HEADER = "Fecha;Hora;Peso neto (kg);Humedad (%);Temperatura (°C)\r\n"
BAD_EVERY = 10_000


def say(message: str) -> None:
    print(message, flush=True)


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- set-up ---------------------------------------------------------------------------------


def ensure_database() -> None:
    bench_django_migrated(say=say)


def ensure_company():
    return bench_company(slug=SLUG, name="Bench IoT", ruc_seed=990_001, say=say)


def fresh_device():
    """The company's bench scale with a new key, and no readings or imports left."""
    from decimal import Decimal

    from django.db import connection

    from iot.models import Device
    from iot.services import device_key_rotate, device_register

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE iot_reading, iot_readingimport, iot_deviceerror")
    device = Device.objects.filter(serial_number="BENCH-SCALE-1").first()
    if device is None:
        device, key = device_register(
            user=None, name="Báscula bench", serial_number="BENCH-SCALE-1", capacity_kg=Decimal("60000")
        )
        return device, key
    return device, device_key_rotate(device=device)


# --- CSV ------------------------------------------------------------------------------------


def write_csv(path: Path, rows: int) -> None:
    """One reading every 7 s from 2025-01-01, weights 50-6,000 kg with a decimal comma."""
    rng = random.Random(7)
    start = datetime(2025, 1, 1)
    with path.open("w", encoding="latin-1", newline="") as out:
        out.write(HEADER)
        for n in range(rows):
            moment = start + timedelta(seconds=7 * n)
            weight = f"{rng.randint(5_000, 600_000) // 100},{rng.randint(0, 99):02d}"
            moisture = f"{rng.randint(55, 90) // 10},{rng.randint(0, 9)}"
            if n % BAD_EVERY == BAD_EVERY - 1:
                weight = "ERR"  # a scale's error code where the weight goes: rejected, the rest kept
            out.write(f"{moment:%d.%m.%Y;%H:%M:%S};{weight};{moisture};2{n % 10},{n % 7}\r\n")


def csv_import(device, rows: int) -> dict:
    from django.core.files import File
    from django.core.files.storage import default_storage

    from iot.csv_import import import_run
    from iot.models import ReadingImport

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "siemens.csv"
        started = time.perf_counter()
        write_csv(path, rows)
        size_mb, seconds = path.stat().st_size / 2**20, time.perf_counter() - started
        say(f"  wrote {rows:,} rows ({size_mb:.0f} MB) in {seconds:.1f} s")
        with path.open("rb") as source:
            name = default_storage.save("iot/imports/bench.csv", File(source, name="siemens.csv"))
        reading_import = ReadingImport.objects.create(
            device=device, file=name, original_name="siemens.csv", size_bytes=default_storage.size(name)
        )
        samples, started = [], time.perf_counter()

        def progress(current):
            samples.append(rss_mb())
            if len(samples) % 10 == 0:
                say(
                    f"  [{current.lines_done:,} lines] {time.perf_counter() - started:.1f} s, "
                    f"{current.progress_percent}%, RSS {samples[-1]:.0f} MB"
                )

        rss_before = rss_mb()
        cpu = CpuClock()
        import_run(reading_import, progress=progress)
        seconds = time.perf_counter() - started
        python_cpu, database_cpu = cpu.read()
        default_storage.delete(name)
        say("  baseline: PostgreSQL's own COPY of the same file into a bare table ...")
        copy_seconds = raw_copy_seconds(path)
    return {
        "rows": rows,
        "seconds": seconds,
        "copy_seconds": copy_seconds,
        "rows_per_s": rows / seconds,
        "added": reading_import.added,
        "duplicates": reading_import.duplicates,
        "rejected": reading_import.rejected,
        "status": reading_import.status,
        "rss_before": rss_before,
        "rss_min": min(samples),
        "rss_max": max(samples),
        "peak_rss": peak_rss_mb(),
        "python_cpu": python_cpu,
        "database_cpu": database_cpu,
    }


def raw_copy_seconds(path: Path) -> float:
    """The floor on the same machine in the same minute: the file's bytes streamed into a
    table of text columns by COPY (no parsing of numbers or times, no index, no check)."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_raw (day text, moment text, weight text, moisture text, temp text)"
        )
        sql = "COPY bench_raw FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true, ENCODING 'LATIN1')"
        with cursor.cursor.copy(sql) as copy, path.open("rb") as source:
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        cursor.execute("DROP TABLE bench_raw")
    return time.perf_counter() - started


class CpuClock:
    """CPU seconds of this process and of its PostgreSQL backend since created: the work,
    whatever else the machine runs (wall-clock figures depend on it)."""

    def __init__(self):
        import psutil
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.backend = psutil.Process(cursor.fetchone()[0])
        self.start = self._times()

    def _times(self) -> tuple[float, float]:
        import psutil

        own, backend = psutil.Process().cpu_times(), self.backend.cpu_times()
        return own.user + own.system, backend.user + backend.system

    def read(self) -> tuple[float, float]:
        now = self._times()
        return now[0] - self.start[0], now[1] - self.start[1]


# --- REST -----------------------------------------------------------------------------------


def rest_load(company, key: str, batches: int, singles: int, workers: int) -> dict:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }
    port = free_port()
    server = start_server("triboka.settings", port, workers, env)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {
            "Host": f"{SLUG}.localhost",
            "Authorization": f"Device {key}",
            "Content-Type": "application/json",
        }
        clock = datetime(2026, 6, 1, 8, 0)
        post(conn, headers, [reading(clock, 0, "warm")])
        batch_times = []
        for b in range(batches):
            body = [reading(clock, n, f"b{b}-") for n in range(1000)]
            batch_times.append(post(conn, headers, body, expect=201))
        single_times, refused_times = [], []
        for n in range(singles):  # interleaved: the same stack up to the write, refused at validation
            single_times.append(post(conn, headers, reading(clock, n, "s-"), expect=201))
            refused_times.append(post(conn, headers, {"net_kg": "-1"}, expect=400))
        conn.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    return {
        "batches": batches,
        "batch_p50": percentile(batch_times, 0.5) * 1000,
        "batch_p95": percentile(batch_times, 0.95) * 1000,
        "readings_per_s": 1000 * batches / sum(batch_times),
        "singles": singles,
        "single_p50": percentile(single_times, 0.5) * 1000,
        "single_p95": percentile(single_times, 0.95) * 1000,
        "refused_p50": percentile(refused_times, 0.5) * 1000,
        "refused_p95": percentile(refused_times, 0.95) * 1000,
    }


def reading(clock: datetime, n: int, prefix: str) -> dict:
    return {
        "id": f"{prefix}{n}",
        "measured_at": (clock + timedelta(seconds=n)).isoformat() + "-05:00",
        "gross_kg": f"{1000 + n % 500},5",
        "tare_kg": "20,5",
        "moisture": f"7,{n % 10}",
    }


def post(conn, headers: dict, body, expect: int | None = None) -> float:
    payload = json.dumps(body)
    started = time.perf_counter()
    conn.request("POST", "/api/v1/iot/readings/", payload, headers)
    response = conn.getresponse()
    content = response.read()
    elapsed = time.perf_counter() - started
    if expect is not None and response.status != expect:
        raise RuntimeError(f"HTTP {response.status}: {content[:300]!r}")
    return elapsed


# --- other loads (MQTT) ---------------------------------------------------------------------


def mqtt_load(company, device, key: str) -> dict:
    try:
        from bench.iot_ingest_mqtt import run_mqtt_load
    except ImportError:
        say("  --mqtt: bench/iot_ingest_mqtt.py is not there (yet); skipped.")
        return {}
    return run_mqtt_load(company=company, device=device, key=key)


LOADS = {"mqtt": mqtt_load}  # flag name -> function(company, device, key) -> dict of figures


# --- report ---------------------------------------------------------------------------------


def report(csv_figures: dict | None, rest: dict | None, others: dict) -> None:
    rows = []
    if csv_figures:
        c = csv_figures
        met = "met" if c["seconds"] < 60 and c["status"] == "done" else "NOT met"
        rows += [
            (
                f"CSV import, {c['rows']:,} rows",
                f"{c['seconds']:.1f} s ({c['rows_per_s']:,.0f} rows/s)",
                f"< 60 s: {met}",
            ),
            (
                "baseline: PostgreSQL COPY of the same file into a bare table",
                f"{c['copy_seconds']:.1f} s (the import takes {c['seconds'] / c['copy_seconds']:.1f}x)",
                "",
            ),
            (
                "CSV report",
                f"{c['added']:,} added, {c['duplicates']:,} duplicates, {c['rejected']:,} rejected",
                "",
            ),
            (
                "CPU of the import",
                f"Python {c['python_cpu']:.1f} s (two threads), PostgreSQL backend {c['database_cpu']:.1f} s",
                "",
            ),
            (
                "RSS while importing",
                f"{c['rss_min']:.0f}-{c['rss_max']:.0f} MB (before: {c['rss_before']:.0f} MB; "
                f"peak: {c['peak_rss']:.0f} MB)",
                "flat",
            ),
        ]
    if rest:
        r = rest
        met = "met" if r["single_p95"] < 20 else "NOT met"
        rows += [
            (
                f"REST, {r['batches']} batches of 1,000",
                f"{r['readings_per_s']:,.0f} readings/s; "
                f"p50 {r['batch_p50']:.0f} ms, p95 {r['batch_p95']:.0f} ms",
                "",
            ),
            (
                f"REST, {r['singles']} single readings",
                f"p50 {r['single_p50']:.1f} ms, p95 {r['single_p95']:.1f} ms",
                f"p95 < 20 ms: {met}",
            ),
            (
                "baseline: the same requests refused at validation (400), interleaved",
                f"p50 {r['refused_p50']:.1f} ms, p95 {r['refused_p95']:.1f} ms "
                f"(storing adds {r['single_p50'] - r['refused_p50']:.1f} ms at p50)",
                "",
            ),
        ]
    for name, figures in others.items():
        rows += [(f"{name}: {label}", str(value), "") for label, value in figures.items()]
    say("\n| what | figure | budget |\n| --- | --- | --- |")
    for row in rows:
        say("| " + " | ".join(row) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batches", type=int, default=60, help="REST requests of 1,000 readings")
    parser.add_argument("--singles", type=int, default=300, help="REST requests of one reading")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers for the REST part")
    parser.add_argument("--skip-csv", action="store_true")
    parser.add_argument("--skip-rest", action="store_true")
    for name in LOADS:
        parser.add_argument(f"--{name}", action="store_true", help=f"add the {name} load")
    args = parser.parse_args()

    ensure_database()
    from django_tenants.utils import tenant_context

    company = ensure_company()
    with tenant_context(company):
        device, key = fresh_device()
        csv_figures = rest = None
        if not args.skip_csv:
            say(f"CSV: {args.rows:,} rows into {SLUG} ...")
            csv_figures = csv_import(device, args.rows)
    if not args.skip_rest:
        say(f"REST: {args.batches} batches of 1,000, then {args.singles} single readings ...")
        rest = rest_load(company, key, args.batches, args.singles, args.workers)
    others = {}
    for name, load in LOADS.items():
        if getattr(args, name):
            say(f"{name} ...")
            others[name] = load(company, device, key)
    report(csv_figures, rest, others)


if __name__ == "__main__":
    main()
