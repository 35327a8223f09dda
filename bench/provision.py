"""Provisioning benchmark: p50/p95 of creating one company with N companies existing.

    .venv/bin/python bench/provision.py --companies 200 [--measure 30] [--baseline 5] [--fresh]

Runs against its own database (`triboka_bench` beside DATABASE_URL's, or BENCH_DATABASE_URL)
so it never touches the development data. It fills the database up to N companies
(showing progress), then measures --measure more provisionings one by one with N existing:
the real service (company row, schema copied from the template, domain, license, admin
with an Argon2-hashed password, welcome e-mail rendered and sent through Django's locmem
backend). Side by side, in the same run, it measures --baseline companies created the
django-tenants default way (CREATE SCHEMA + every migration) and prints the ratio.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def bench_database_url(name: str = "triboka_bench") -> str:
    """BENCH_DATABASE_URL, or the database ``name`` beside DATABASE_URL's."""
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    base = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/triboka"))
    return base._replace(path=f"/{name}").geturl()


def prepare_database(url: str, fresh: bool) -> bool:
    """Creates the database when missing (dropped first with ``fresh``); True when created."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
        return True


def bench_django_migrated(url: str | None = None, say=print) -> None:
    """Django set up on the benchmark database (created if missing), migrated once."""
    from bench.api_load import setup_django  # bench.api_load imports this module

    url = url or bench_database_url()
    prepare_database(url, fresh=False)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    if "companies_company" not in connection.introspection.table_names():
        say("Migrating the benchmark database (once) ...")
        call_command("migrate_schemas", interactive=False, verbosity=0)


def bench_company(*, slug: str, name: str, ruc_seed: int, say=print):
    """The benchmark's company ``slug``, provisioned the first time (a collection center)."""
    from master.companies.models import Company
    from master.companies.services import company_provision

    company = Company.objects.filter(slug=slug).first()
    if company is None:
        say(f"Provisioning {slug} ...")
        company = company_provision(
            name=name,
            slug=slug,
            ruc=valid_ruc(ruc_seed),
            kind="center",
            license_type="saas",
            admin_email=f"admin@{slug}.test",
            admin_password="Bench-password-2026",
            migrate_template_if_behind=True,
        ).company
    return company


def valid_ruc(n: int) -> str:
    """A natural-person RUC (province, third digit 0-5, mod-10 check digit, 001)."""
    province, third, serial = 1 + n % 24, n // 24 % 6, n // 144
    body = f"{province:02d}{third}{serial:06d}"
    total = 0
    for index, char in enumerate(body):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return f"{body}{(10 - total % 10) % 10}001"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def provision(index: int) -> float:
    from master.companies.services import company_provision

    started = time.perf_counter()
    company_provision(
        name=f"Bench Company {index}",
        slug=f"bench-{index}",
        ruc=valid_ruc(index),
        kind="exporter",
        license_type="saas",
        admin_email=f"admin@bench-{index}.test",
        admin_password="Bench-password-2026",
    )
    return time.perf_counter() - started


def provision_the_default_way(index: int) -> float:
    """django-tenants without a template: CREATE SCHEMA and run every tenant migration."""
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.utils import quote_schema_name

    schema = f"baseline_{index}"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {quote_schema_name(schema)}")
    call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=0)
    elapsed = time.perf_counter() - started
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA {quote_schema_name(schema)} CASCADE")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--companies", type=int, default=200, help="companies existing when measuring")
    parser.add_argument("--measure", type=int, default=30, help="provisionings measured at that size")
    parser.add_argument("--baseline", type=int, default=5, help="default-way creations measured")
    parser.add_argument("--fresh", action="store_true", help="drop the benchmark database first")
    args = parser.parse_args()

    url = bench_database_url()
    prepare_database(url, args.fresh)
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="triboka.settings",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core import mail
    from django.core.management import call_command

    from master.companies.models import Company

    mail.outbox = []
    print(f"Database {urlparse(url).path.lstrip('/')}: migrating public schema and template ...", flush=True)
    call_command("migrate_schemas", interactive=False, verbosity=0)

    existing = Company.objects.count()
    next_index = (Company.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1000
    fill_started = time.perf_counter()
    while existing < args.companies:
        provision(next_index)
        next_index += 1
        existing += 1
        if existing % 50 == 0 or existing == args.companies:
            rate = time.perf_counter() - fill_started
            print(f"  filled to {existing}/{args.companies} companies ({rate:.0f} s so far)", flush=True)
        mail.outbox.clear()

    print(f"Measuring {args.measure} provisionings with {existing} companies existing ...", flush=True)
    timings = []
    for _ in range(args.measure):
        timings.append(provision(next_index))
        next_index += 1
    sent = len(mail.outbox)
    baseline = [provision_the_default_way(next_index + i) for i in range(args.baseline)]

    p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
    b50 = statistics.median(baseline) if baseline else float("nan")
    print()
    print(f"companies existing:        {existing} (+{args.measure} measured)")
    print(f"provisioning p50 / p95:    {p50 * 1000:.0f} ms / {p95 * 1000:.0f} ms  (e-mails: {sent})")
    print(f"default way (migrations):  median {b50 * 1000:.0f} ms over {len(baseline)}")
    print(f"speed-up vs default:       {b50 / p50:.1f}x")
    print(f"budget (p50 < 1 s):        {'met' if p50 < 1 else 'NOT met'}")


if __name__ == "__main__":
    random.seed(1)
    main()
