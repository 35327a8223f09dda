"""Master dashboard benchmark: the dashboard with 1,000 companies and a year of metering.

    .venv/bin/python bench/master_dashboard.py [--companies 1000] [--days 365] [--runs 20] [--fresh]

The dashboard reads only the public schema (analytics/selectors.py), so this benchmark fills
its own database (`triboka_bench_dashboard` beside DATABASE_URL's, or BENCH_DATABASE_URL) with
public rows only: companies (no schemas), their licenses, users in the directory, company
figures, a year of daily API consumption per company (365,000 rows), monthly invoices and
backups. It then times GET /api/master/dashboard/ (and the admin index that draws it) through
Django's test client as a signed-in master admin, and, side by side in the same run, the same
request on a baseline of 10 companies with a month of data: the ratio shows how the
dashboard grows with the platform. Budget (ARCHITECTURE.md / issue 6): under 300 ms.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.provision import bench_database_url, prepare_database  # noqa: E402


def say(message: str) -> None:
    print(message, flush=True)


def fill(prefix: str, companies: int, days: int, ruc_base: int) -> None:
    """Public rows for ``companies`` companies named <prefix>NNNN and ``days`` of metering."""
    from django.utils import timezone

    from master.analytics.models import CompanyFacts
    from master.backups.models import Backup, BackupStatus
    from master.billing.models import Invoice, InvoiceStatus
    from master.companies.models import Company, UserDirectoryEntry
    from master.licensing.models import License
    from master.metering.models import CompanyUsageDaily

    rng = random.Random(7)
    today = timezone.localdate()
    now = timezone.now()
    rows = [
        Company(
            name=f"Bench {prefix}{n:04d}",
            slug=f"{prefix}{n:04d}",
            schema_name=f"{prefix}{n:04d}",
            ruc=f"{ruc_base + n:010d}001",
            kind="exporter",
            status="suspended" if n % 50 == 0 else "active",
        )
        for n in range(companies)
    ]
    created = Company.objects.bulk_create(rows, batch_size=1000)
    say(f"  {prefix}: {len(created)} companies")
    License.objects.bulk_create(
        [
            License(
                company=company,
                code=f"B{prefix[:2].upper()}{company.pk:06d}",
                type=("saas", "vps", "api")[company.pk % 3],
                starts_on=today - timedelta(days=400),
                expires_on=today + timedelta(days=rng.randint(-20, 365)),
                max_users=25,
                max_api_calls_month=200_000,
                price_usd=Decimal("120.00"),
            )
            for company in created
        ],
        batch_size=1000,
    )
    UserDirectoryEntry.objects.bulk_create(
        [
            UserDirectoryEntry(
                company=company,
                user_id=u,
                email=f"user{u}@{company.slug}.test",
                role="admin" if u == 1 else "supplier",
                is_active=True,
                date_joined=now,
            )
            for company in created
            for u in range(1, 6)
        ],
        batch_size=5000,
    )
    CompanyFacts.objects.bulk_create(
        [CompanyFacts(company=c, storage_bytes=rng.randint(0, 5 * 10**9), refreshed_at=now) for c in created],
        batch_size=1000,
    )
    Backup.objects.bulk_create(
        [Backup(company=c, status=BackupStatus.DONE, finished_at=now - timedelta(hours=6)) for c in created],
        batch_size=1000,
    )
    for month in range(12):
        issued = (today.replace(day=1) - timedelta(days=31 * month)).replace(day=5)
        Invoice.objects.bulk_create(
            [
                Invoice(
                    number=f"B{prefix[:2].upper()}-{month:02d}-{c.pk:06d}",
                    company=c,
                    company_name=c.name,
                    company_ruc=c.ruc,
                    license_code="x",
                    period_start=issued,
                    period_end=issued + timedelta(days=30),
                    amount_usd=Decimal("120.00"),
                    tax_percent=Decimal("15.00"),
                    tax_usd=Decimal("18.00"),
                    total_usd=Decimal("138.00"),
                    paid_usd=Decimal("138.00") if month else Decimal("0"),
                    status=InvoiceStatus.PAID if month else InvoiceStatus.ISSUED,
                    issued_on=issued,
                    due_on=issued + timedelta(days=15),
                    provider="bank_transfer",
                )
                for c in created
            ],
            batch_size=2000,
        )
    say(f"  {prefix}: directory, figures, backups, {12 * len(created)} invoices")
    batch = []
    for index, company in enumerate(created):
        for back in range(days):
            requests = rng.randint(200, 5000)
            batch.append(
                CompanyUsageDaily(
                    company=company,
                    day=today - timedelta(days=back),
                    requests=requests,
                    bytes_out=requests * 2048,
                    latency_ms_sum=requests * 40,
                    client_errors=requests // 20,
                    server_errors=requests // 500,
                    latency_histogram=[
                        requests // 2,
                        requests // 4,
                        requests // 8,
                        requests // 8,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                    ],
                )
            )
        if len(batch) >= 20_000 or index == len(created) - 1:
            CompanyUsageDaily.objects.bulk_create(batch, batch_size=5000)
            batch = []
            say(f"  {prefix}: metering for {index + 1}/{len(created)} companies")


def measure(client, path: str, runs: int) -> tuple[float, float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, HTTP_HOST="localhost")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    timings.sort()
    return statistics.median(timings), timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the benchmark database")
    args = parser.parse_args()

    url = bench_database_url("triboka_bench_dashboard")
    new = prepare_database(url, args.fresh)
    os.environ.update(
        DATABASE_URL=url, DJANGO_SETTINGS_MODULE="triboka.settings", DJANGO_READ_DOT_ENV="0", REDIS_URL=""
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from master.companies.models import Company
    from triboka.accounts.models import User

    if new:
        say("Migrating the public schema ...")
        call_command("migrate_schemas", "--shared", verbosity=0)
    for prefix, companies, days, ruc_base in (
        ("big", args.companies, args.days, 1_700_000_000),
        ("small", 10, 30, 1_800_000_000),
    ):
        if not Company.objects.filter(slug__startswith=prefix).exists():
            say(f"Filling {companies} companies x {days} days ({prefix}) ...")
            fill(prefix, companies, days, ruc_base)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    staff, _ = User.objects.get_or_create(
        email="bench@triboka.test", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(staff)
    from django.test.utils import override_settings

    from master.companies.models import Company as C

    results = {}
    for label, prefix in (
        ("baseline: 10 companies, 30 days", "small"),
        (f"{args.companies} companies, {args.days} days", "big"),
    ):
        hidden = C.objects.exclude(slug__startswith=prefix)
        # each measurement sees only its own companies: the others are parked in a dummy status
        ids = list(hidden.values_list("pk", flat=True))
        with _only(ids):
            plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
            with override_settings(DEBUG=False, STORAGES={**settings.STORAGES, "staticfiles": plain_static}):
                measure(client, "/api/master/dashboard/", 2)  # warm-up
                api = measure(client, "/api/master/dashboard/", args.runs)
                admin = measure(client, "/admin/", args.runs)
        results[label] = (api, admin)
        say(
            f"{label}: dashboard API p50 {api[0]:.0f} ms p95 {api[1]:.0f} ms; "
            f"admin index p50 {admin[0]:.0f} ms p95 {admin[1]:.0f} ms"
        )
    (base_api, _), (big_api, big_admin) = results.values()
    say(f"ratio (p50, full / baseline): API {big_api[0] / base_api[0]:.1f}x")
    say(f"budget < 300 ms: API p95 {big_api[1]:.0f} ms, admin index p95 {big_admin[1]:.0f} ms")


class _only:
    """Moves the other run's rows out of sight for one measurement (in a transaction that
    is rolled back)."""

    def __init__(self, company_ids):
        self.company_ids = company_ids

    def __enter__(self):
        from django.db import transaction

        from master.companies.models import Company

        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        Company.objects.filter(pk__in=self.company_ids).delete()
        return self

    def __exit__(self, *exc):
        from django.db import transaction

        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)


if __name__ == "__main__":
    main()
