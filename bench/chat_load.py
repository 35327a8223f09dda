"""Contract chat under load: 1,000 websocket clients in 200 rooms on one daphne process.

    .venv/bin/python bench/chat_load.py [--clients 1000] [--rooms 200] [--rates 5,25,50,100]
                                        [--seconds 20] [--redis redis://127.0.0.1:6379/14]

Runs on the benchmark database of bench/provision.py (`triboka_bench`, beside DATABASE_URL's;
any number of companies, the host lookup is the real one). It creates, once, the company
`bench-chat`: one exporter partner, --rooms counterparty partners each with a contract, and
--clients / --rooms users per counterparty, so each room has its own participants (plus the
company's admin, who stays offline and gets a notification per message, as in real use).

One daphne process serves it with the Redis channel layer and Redis as Celery broker; with
--worker, a Celery worker (one process) beside it does the notification fan-out of each
message (who is away, their notifications, pushes and queued e-mails) on the same machine,
as in production; without it those tasks only queue up. Every client opens
`ws/contracts/<id>/chat/` with its own JWT. Then, for each rate in --rates, messages are
sent open-loop at that many per second overall (round robin over the clients, so no user
nears the chat's rate limit), each through the real path: saved, notifications written,
broadcast to the room's group. Every participant's copy is timed from the moment its
message was sent to the moment it arrived: p50/p95/p99 over all deliveries, deliveries per
second, and messages lost. The lowest rate is the baseline the others are compared with.
"""

import argparse
import asyncio
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SLUG = "bench-chat"
SERVER_LOG = Path("/tmp/triboka-chat-bench-daphne.log")  # the server's errors, if any


def setup_django(url: str, redis_url: str) -> None:
    os.environ.update(
        DATABASE_URL=url,
        REDIS_URL=redis_url,
        DJANGO_SETTINGS_MODULE="triboka.settings",
        DJANGO_READ_DOT_ENV="0",
        LOG_LEVEL="WARNING",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    import django

    django.setup()


def _cedula(number: int) -> str:
    """A valid Ecuadorian cédula (province 09) for partner ``number``."""
    from triboka.validators import _mod10_check_digit

    first_nine = f"090{number:06d}"
    return first_nine + str(_mod10_check_digit(first_nine))


def ensure_company(rooms: int, per_room: int):
    """The company, its rooms and their participants, created once."""
    from django.core.management import call_command
    from django_tenants.utils import tenant_context

    from master.companies.models import Company
    from master.companies.services import company_provision

    if not Company.objects.exists():
        call_command("migrate_schemas", interactive=False, verbosity=0)
    company = Company.objects.filter(slug=SLUG).first()
    if company is None:
        company = company_provision(
            name="Bench Chat",
            slug=SLUG,
            ruc="0992000015001",
            kind="exporter",
            license_type="saas",
            admin_email=f"admin@{SLUG}.test",
            admin_password="Bench-password-2026",
            migrate_template_if_behind=True,
        ).company
    with tenant_context(company):
        return company, _fill(rooms, per_room)


def _fill(rooms: int, per_room: int) -> list[tuple[int, list[int]]]:
    """[(contract id, [user ids])] for each room."""
    from django.utils import timezone

    from erp.contracts.models import Contract
    from erp.contracts.services import contract_create
    from erp.partners.models import Membership, Partner
    from erp.partners.services import partner_create
    from triboka.accounts.models import Role, User

    admin = User.objects.filter(role=Role.ADMIN).order_by("pk").first()
    exporter = Partner.objects.filter(kind="exporter").first() or partner_create(
        name="Exportadora Bench", kind="exporter", tax_id="0992000015001", province="09"
    )
    today = timezone.localdate()
    layout = []
    for room in range(rooms):
        partner = Partner.objects.filter(tax_id=_cedula(room)).first()
        if partner is None:
            partner = partner_create(
                name=f"Proveedor {room}", kind="supplier", tax_id=_cedula(room), province="09"
            )
        contract = Contract.objects.filter(counterparty=partner).first() or contract_create(
            user=admin,
            exporter=exporter,
            counterparty=partner,
            volume_tm=Decimal("10"),
            signed_on=today,
            delivery_from=today,
            delivery_to=today + timedelta(days=90),
            price_type="fixed",
            price_usd_per_tm=Decimal("6500"),
            variety="nacional",
        )
        emails = [f"room{room}-user{n}@{SLUG}.test" for n in range(per_room)]
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        new = User.objects.bulk_create(
            [User(email=email, role=Role.SUPPLIER, password="!") for email in emails if email not in existing]
        )
        Membership.objects.bulk_create([Membership(user=user, partner=partner) for user in new])
        layout.append((contract.pk, list(User.objects.filter(email__in=emails).values_list("pk", flat=True))))
        if (room + 1) % 50 == 0:
            print(f"  {room + 1}/{rooms} rooms ready", flush=True)
    return layout


def tokens(company, user_ids: list[int]) -> dict[int, str]:
    from django_tenants.utils import tenant_context

    from triboka.accounts.models import User
    from triboka.accounts.tokens import LoginSerializer

    with tenant_context(company):
        return {
            user.pk: str(LoginSerializer.get_token(user).access_token)
            for user in User.objects.filter(pk__in=user_ids)
        }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(redis_url: str) -> dict:
    return {
        **os.environ,
        "REDIS_URL": redis_url,
        "DJANGO_DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "CHAT_RATE_MESSAGES": "1000",  # the round robin keeps each user far below anyway
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


def start_worker(redis_url: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "triboka",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=server_env(redis_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_daphne(port: int, redis_url: str) -> subprocess.Popen:
    env = server_env(redis_url)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-v",
            "0",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "triboka.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stderr=SERVER_LOG.open("w"),
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("daphne did not start")


class Load:
    """The clients, what they sent and when, and the latency of every delivery."""

    def __init__(self):
        self.sent_at: dict[str, float] = {}
        self.latencies: list[float] = []
        self.errors = 0
        self.recording = False

    async def reader(self, ws):
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in ws:
                arrived = time.perf_counter()
                data = json.loads(raw)
                if "error" in data:
                    self.errors += 1
                    continue
                sent = self.sent_at.get(data.get("message", {}).get("text", ""))
                if sent is not None and self.recording:
                    self.latencies.append(arrived - sent)
        except ConnectionClosed:
            pass


async def connect_all(port: int, host: str, layout, token_of, load: Load, at_once: int = 50):
    from websockets.asyncio.client import connect

    clients = []  # (websocket, room index)
    gate = asyncio.Semaphore(at_once)

    async def one(room: int, contract_id: int, user_id: int):
        async with gate:
            sock = socket.create_connection(("127.0.0.1", port))
            ws = await connect(
                f"ws://{host}:{port}/ws/contracts/{contract_id}/chat/?token={token_of[user_id]}",
                sock=sock,
                open_timeout=60,
                ping_interval=None,
                max_queue=None,
            )
            clients.append((ws, room))
            asyncio.get_running_loop().create_task(load.reader(ws))

    started = time.perf_counter()
    await asyncio.gather(
        *(one(room, contract_id, user) for room, (contract_id, users) in enumerate(layout) for user in users)
    )
    return clients, time.perf_counter() - started


async def run_rate(clients, load: Load, rate: float, seconds: float, per_room: int, label: str) -> dict:
    load.latencies, load.errors, load.recording = [], 0, True
    total = int(rate * seconds)
    started = time.perf_counter()
    worst_lateness = 0.0
    for n in range(total):
        due = started + n / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            worst_lateness = max(worst_lateness, -delay)
        ws, _room = clients[n % len(clients)]
        text = f"{label}:{n}"
        load.sent_at[text] = time.perf_counter()
        await ws.send(json.dumps({"text": text}))
    elapsed_sending = time.perf_counter() - started
    expected = total * per_room
    deadline = time.perf_counter() + 10
    while len(load.latencies) < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    load.recording = False
    latencies = sorted(load.latencies)

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else 0.0

    return {
        "rate": rate,
        "messages": total,
        "messages_per_s": total / elapsed_sending,
        "deliveries": len(latencies),
        "lost": expected - len(latencies),
        "errors": load.errors,
        "p50": percentile(50),
        "p95": percentile(95),
        "p99": percentile(99),
        "max": latencies[-1] * 1000 if latencies else 0.0,
        "mean": statistics.fmean(latencies) * 1000 if latencies else 0.0,
        "generator_late_ms": worst_lateness * 1000,
    }


async def drive(port, host, layout, token_of, rates, seconds, per_room) -> list[dict]:
    load = Load()
    print(f"connecting {sum(len(users) for _, users in layout)} clients ...", flush=True)
    clients, took = await connect_all(port, host, layout, token_of, load)
    print(f"  {len(clients)} connected in {took:.1f} s", flush=True)
    await run_rate(clients, load, min(rates), 3, per_room, "warmup")
    results = []
    for rate in rates:
        print(f"{rate:g} messages/s for {seconds:g} s ...", flush=True)
        result = await run_rate(clients, load, rate, seconds, per_room, f"r{rate:g}")
        print(
            f"  p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms, p99 {result['p99']:.1f} ms, "
            f"max {result['max']:.0f} ms; {result['deliveries']} deliveries, lost {result['lost']}, "
            f"errors {result['errors']}; sent {result['messages_per_s']:.1f} msg/s",
            flush=True,
        )
        results.append(result)
    for ws, _room in clients:
        await ws.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--rates", default="5,25,50,100")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--worker", action="store_true", help="run a Celery worker beside daphne")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * args.clients + 256)), hard))

    from bench.provision import bench_database_url

    setup_django(bench_database_url(), args.redis)
    from master.companies.models import Company

    per_room = args.clients // args.rooms
    print(f"Preparing {SLUG}: {args.rooms} rooms x {per_room} participants ...", flush=True)
    company, layout = ensure_company(args.rooms, per_room)
    token_of = tokens(company, [user for _, users in layout for user in users])
    print(f"{Company.objects.count()} companies in the database.", flush=True)
    import redis

    redis.Redis.from_url(args.redis).flushdb()  # queued e-mails and presence of earlier runs
    port = free_port()
    server = start_daphne(port, args.redis)
    worker = start_worker(args.redis) if args.worker else None
    try:
        rates = [float(rate) for rate in args.rates.split(",") if rate]
        results = asyncio.run(
            drive(port, f"{SLUG}.localhost", layout, token_of, rates, args.seconds, per_room + 0)
        )
    finally:
        for process in filter(None, (server, worker)):
            process.terminate()
        for process in filter(None, (server, worker)):
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        redis.Redis.from_url(args.redis).flushdb()
    baseline = results[0]
    print(f"\nCelery worker beside daphne: {'yes' if args.worker else 'no'}")
    print("| messages/s asked | sent/s | deliveries/s | p50 ms | p95 ms | p99 ms | p99 / baseline | lost |")
    print("|---|---|---|---|---|---|---|---|")
    for result in results:
        print(
            f"| {result['rate']:g} | {result['messages_per_s']:.1f} | "
            f"{result['deliveries'] / args.seconds:.0f} | {result['p50']:.1f} | {result['p95']:.1f} | "
            f"{result['p99']:.1f} | {result['p99'] / max(baseline['p99'], 0.001):.2f} | {result['lost']} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
