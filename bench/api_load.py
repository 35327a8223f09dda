"""ERP API under load: the lot list and the dashboard, with and without tenant routing.

    .venv/bin/python bench/api_load.py [--lots 100000] [--contracts 5000] [--requests 2000]
                                       [--seconds 20] [--concurrency 2,8] [--workers 2]
                                       [--rates 30,45] [--connections 4] [--endpoints lots,dashboard]

Uses the benchmark database (`triboka_bench`, filled with companies by bench/provision.py;
BENCH_DATABASE_URL to choose another). Fills one company, `bench-api`, with the partners,
contracts and lots asked for (bulk inserts, once), then starts uvicorn with --workers on
127.0.0.1 twice: with the project's settings, and with tenant routing switched off
(bench/settings_no_routing.py: the same stack, but the schema is fixed instead of found from
the host). For each it sends the same bounded load (at most --requests requests or --seconds
seconds, --concurrency clients at a time, keep-alive connections) to `GET /api/v1/lots/?page_size=50`
and `GET /api/v1/dashboard/`, and reports requests/s and p50/p95/p99, and the ratio of the
two throughputs. ``--rates`` adds an open-loop load: requests due at a fixed rate, latency
counted from when each was due.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SLUG = "bench-api"
PASSWORD = "Bench-password-2026"


def setup_django(url: str) -> None:
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="triboka.settings",
        LOG_LEVEL="WARNING",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    import django

    django.setup()


def ensure_company(lots: int, contracts: int):
    """The benchmark company and its data, created once (bulk inserts)."""
    from django_tenants.utils import tenant_context

    from master.companies.models import Company
    from master.companies.services import company_provision

    company = Company.objects.filter(slug=SLUG).first()
    if company is None:
        company = company_provision(
            name="Bench API",
            slug=SLUG,
            ruc="1700000001001",
            kind="exporter",
            license_type="saas",
            admin_email=f"admin@{SLUG}.test",
            admin_password=PASSWORD,
            migrate_template_if_behind=True,
        ).company
    with tenant_context(company):
        _fill(company, lots, contracts)
    return company


def _fill(company, lots: int, contracts: int) -> None:
    from django.db import connection

    from erp.contracts.models import Contract
    from erp.lots.models import Lot
    from erp.partners.models import Partner

    rng = random.Random(7)
    if not Partner.objects.exists():
        partners = [
            Partner(name=f"Partner {n}", kind=["supplier", "center"][n % 2], tax_id="") for n in range(200)
        ]
        partners[0].kind = "exporter"
        Partner.objects.bulk_create(partners)
    exporter = Partner.objects.filter(kind="exporter").first()
    others = list(Partner.objects.exclude(pk=exporter.pk).values_list("pk", flat=True))
    existing = Contract.objects.count()
    if existing < contracts:
        print(f"  inserting {contracts - existing} contracts ...", flush=True)
        Contract.objects.bulk_create(
            [
                Contract(
                    code=f"CT-BENCH-{n:05d}",
                    exporter=exporter,
                    counterparty_id=rng.choice(others),
                    volume_tm=Decimal(rng.randint(5, 200)),
                    price_type="fixed",
                    price_usd_per_tm=Decimal("6000"),
                    delivery_from=date(2026, 1, 1),
                    delivery_to=date(2026, 12, 31),
                    status=rng.choice(["draft", "active", "in_execution"]),
                )
                for n in range(existing, contracts)
            ],
            batch_size=2000,
        )
    contract_ids = list(Contract.objects.values_list("pk", flat=True))
    existing = Lot.objects.count()
    start = date(2025, 1, 1)
    for first in range(existing, lots, 10_000):
        batch = range(first, min(first + 10_000, lots))
        Lot.objects.bulk_create(
            [
                Lot(
                    code=f"LT-BENCH-{n:07d}",
                    owner_id=rng.choice(others),
                    contract_id=rng.choice(contract_ids) if rng.random() < 0.3 else None,
                    weight_kg=Decimal(rng.randint(200, 9000)),
                    humidity_percent=Decimal(rng.randint(60, 120)) / 10,
                    status=rng.choice(["received", "drying", "dried", "stored", "dispatched"]),
                    received_on=start + timedelta(days=n % 600),
                )
                for n in batch
            ],
            batch_size=5000,
        )
        print(f"  lots: {batch.stop}/{lots}", flush=True)
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would gather them
        cursor.execute("ANALYZE lots_lot, contracts_contract, partners_partner")


def token(port: int) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"email": f"admin@{SLUG}.test", "password": PASSWORD})
    connection.request(
        "POST", "/api/v1/auth/login/", body, {"Host": f"{SLUG}.localhost", "Content-Type": "application/json"}
    )
    response = connection.getresponse()
    payload = response.read()
    assert response.status == 200, payload
    return json.loads(payload)["access"]


ENDPOINTS = {"lots": "/api/v1/lots/?page_size=50", "dashboard": "/api/v1/dashboard/"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(settings_module: str, port: int, workers: int, env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "triboka.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": settings_module},
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start")


WRK_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout
  io.write(string.format("RESULT %d %d %f %f %f %f\\n", summary.requests, errors,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def load(port, path, headers, requests, seconds, concurrency) -> dict:
    """wrk when the machine has it (a C client leaves the 2 cores to the server), else Python."""
    if shutil.which("wrk") and requests > 100:
        return load_with_wrk(port, path, headers, seconds, concurrency)
    return load_with_python(port, path, headers, requests, seconds, concurrency)


def load_with_wrk(port: int, path: str, headers: dict, seconds: float, concurrency: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{int(seconds)}s", "--timeout", "10s", "-s", script.name]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True)
    os.unlink(script.name)
    line = next(line for line in output.stdout.splitlines() if line.startswith("RESULT"))
    done, errors, rps, p50, p95, p99 = line.split()[1:]
    return {
        "requests": int(done),
        "errors": int(errors),
        "rps": float(rps),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "client": "wrk",
    }


class _Tally:
    """Latencies of the 200s and statuses of the rest, shared by the client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[int] = []

    def get(self, connection, path: str, headers: dict, since: float) -> None:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - since
        with self.lock:
            if response.status == 200:
                self.latencies.append(elapsed)
            else:
                self.errors.append(response.status)

    def run(self, worker, threads: int, started: float, client: str) -> dict:
        pool = [threading.Thread(target=worker) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        wall = time.perf_counter() - started
        return {
            **_percentiles(self.latencies),
            "requests": len(self.latencies),
            "errors": len(self.errors),
            "rps": len(self.latencies) / wall,
            "client": client,
        }


def load_with_python(
    port: int, path: str, headers: dict, requests: int, seconds: float, concurrency: int
) -> dict:
    """Closed loop: each client sends its next request when the last one is answered."""
    tally = _Tally()
    deadline = time.perf_counter() + seconds
    counter = iter(range(requests))

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            with tally.lock:
                if next(counter, None) is None:
                    return
            tally.get(connection, path, headers, since=time.perf_counter())

    return tally.run(worker, concurrency, time.perf_counter(), "python")


def load_at_rate(port: int, path: str, headers: dict, rate: float, seconds: float, connections: int) -> dict:
    """Open loop: request i is due at start + i/rate whatever happened before, sent on one of
    `connections` keep-alive connections; latency counts from when it was due, so a server
    that falls behind shows it (no coordinated omission)."""
    tally = _Tally()
    counter = iter(range(int(rate * seconds)))
    start = time.perf_counter() + 0.2

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with tally.lock:
                index = next(counter, None)
            if index is None:
                return
            due = start + index / rate
            time.sleep(max(0.0, due - time.perf_counter()))
            tally.get(connection, path, headers, since=due)

    return tally.run(worker, connections, start, "python, open loop")


def _percentiles(latencies: list[float]) -> dict:
    ordered = sorted(latencies)

    def pct(q):
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")

    return {"p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lots", type=int, default=100_000)
    parser.add_argument("--contracts", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", default="2,8", help="clients at a time; several, comma-separated")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--rates",
        default="",
        help="open-loop rates in requests/s (comma-separated), e.g. 30,60; sent on --connections",
    )
    parser.add_argument("--connections", type=int, default=4, help="keep-alive connections of the open loop")
    parser.add_argument("--endpoints", default="lots,dashboard")
    args = parser.parse_args()

    from bench.provision import bench_database_url, prepare_database

    url = bench_database_url()
    prepare_database(url, fresh=False)
    setup_django(url)
    from django.core.management import call_command

    from master.companies.models import Company

    if not Company.objects.exists():
        call_command("migrate_schemas", interactive=False, verbosity=0)
    print(f"Preparing {SLUG} ({args.lots} lots, {args.contracts} contracts) ...", flush=True)
    company = ensure_company(args.lots, args.contracts)
    print(f"{Company.objects.count()} companies in the database.", flush=True)

    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "LOGIN_THROTTLE_RATE": "1000/min",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "BENCH_FIXED_SCHEMA": company.schema_name,
    }
    results = {}
    for label, settings_module in (
        ("routing", "triboka.settings"),
        ("no routing", "bench.settings_no_routing"),
    ):
        port = free_port()
        server = start_server(settings_module, port, args.workers, env)
        try:
            headers = {"Host": f"{SLUG}.localhost", "Authorization": f"Bearer {token(port)}"}
            for name in args.endpoints.split(","):
                path = ENDPOINTS[name]
                load(port, path, headers, 50, 10, 2)  # warm-up
                for concurrency in filter(None, args.concurrency.split(",")):
                    print(f"{label}: {name}, {concurrency} at a time ...", flush=True)
                    results[(label, f"{name} c={concurrency}")] = load(
                        port, path, headers, args.requests, args.seconds, int(concurrency)
                    )
                for rate in filter(None, args.rates.split(",")):
                    print(f"{label}: {name}, {rate} requests/s (open loop) ...", flush=True)
                    results[(label, f"{name} {rate}/s")] = load_at_rate(
                        port, path, headers, float(rate), args.seconds, args.connections
                    )
        finally:
            server.terminate()
            server.wait(timeout=20)

    print(
        "\n"
        + " ".join(["endpoint       ", "mode       ", "  req/s", " p50 ms", " p95 ms", " p99 ms", "errors"])
    )
    for (label, name), r in sorted(results.items(), key=lambda item: (item[0][1], item[0][0])):
        print(
            f"{name:15s} {label:11s} {r['rps']:7.1f} {r['p50']:7.1f} {r['p95']:7.1f} {r['p99']:7.1f}"
            f" {r['errors']:6d}"
        )
    for name in sorted({name for _label, name in results}):
        ratio = results[("routing", name)]["rps"] / results[("no routing", name)]["rps"]
        print(f"{name}: throughput with routing / without = {ratio:.2f}")


if __name__ == "__main__":
    main()
