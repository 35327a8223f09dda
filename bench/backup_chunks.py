"""Daily backup of every company: one pg_dump per company against chunks of companies.

    .venv/bin/python bench/backup_chunks.py [--sample 20] [--chunk 50] [--workers 2] [--all]

Runs on the benchmark database of bench/provision.py (`triboka_bench`, 1,000+ companies;
fill it first with `bench/provision.py --companies 1000`). Archives go to a temporary
folder, and the Backup rows it creates are deleted at the end.

Side by side, in one run:
- baseline: --sample companies backed up one per pg_dump call (chunk of 1), one after another;
- chunked: the same --sample companies, --chunk per pg_dump call;
- with --all: every active company, in chunks of --chunk run by --workers processes at once
  (as that many Celery worker processes would), timed end to end.
It prints seconds per company for each and the ratio, and the whole-run time.
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(backup_root: str) -> None:
    from bench.provision import bench_database_url

    os.environ["DATABASE_URL"] = bench_database_url()
    os.environ["BACKUP_ROOT"] = backup_root
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "triboka.settings")
    os.environ.setdefault("DJANGO_READ_DOT_ENV", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def run_chunk(ids: list[int]) -> tuple[int, int, float]:
    """In a worker process: write these backups; (done, failed, seconds)."""
    from master.backups import services
    from master.backups.models import BackupStatus

    started = time.perf_counter()
    backups = services.backups_run(ids)
    done = sum(backup.status == BackupStatus.DONE for backup in backups)
    return done, len(backups) - done, time.perf_counter() - started


def timed_backups(companies, chunk: int) -> float:
    """Seconds per company, backing up ``companies`` in chunks of ``chunk``, one after another."""
    from master.backups import services

    ids = [services.backup_request(company=company, requested_by="bench").pk for company in companies]
    started = time.perf_counter()
    for part in services.chunks(ids, chunk):
        done, failed, _seconds = run_chunk(part)
        if failed:
            raise SystemExit(f"{failed} backups failed")
    return (time.perf_counter() - started) / len(ids)


def all_companies(chunk: int, workers: int) -> dict:
    from django.db import connections

    from master.backups import services

    ids = services.daily_backups_request()
    parts = services.chunks(ids, chunk)
    connections.close_all()
    print(f"all: {len(ids)} companies in {len(parts)} chunks of {chunk}, {workers} processes", flush=True)
    started, done, failed, chunk_seconds = time.perf_counter(), 0, 0, []
    # new processes, not forks: a forked child would share this process's connection pool
    spawn = multiprocessing.get_context("spawn")
    initargs = (os.environ["BACKUP_ROOT"],)
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=spawn, initializer=setup, initargs=initargs
    ) as pool:
        futures = [pool.submit(run_chunk, part) for part in parts]
        for number, future in enumerate(as_completed(futures), start=1):
            ok, bad, seconds = future.result()
            done, failed, chunk_seconds = done + ok, failed + bad, [*chunk_seconds, seconds]
            elapsed = time.perf_counter() - started
            print(
                f"  chunk {number}/{len(parts)}: {ok} done in {seconds:.1f} s ({elapsed:.0f} s so far)",
                flush=True,
            )
    return {
        "companies": len(ids),
        "done": done,
        "failed": failed,
        "seconds": time.perf_counter() - started,
        "chunk_median": statistics.median(chunk_seconds) if chunk_seconds else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--chunk", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--all", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="triboka-bench-backups-") as backup_root:
        setup(backup_root)
        from django.db import connection

        from master.backups.models import Backup
        from master.companies.models import Company

        try:
            companies = list(Company.objects.active().order_by("?")[: args.sample])
            total = Company.objects.count()
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_namespace")
                schemas = cursor.fetchone()[0]
            print(
                f"{total} companies, {schemas} schemas in the database; sample of {len(companies)}",
                flush=True,
            )
            one = timed_backups(companies, 1)
            print(f"baseline, one pg_dump per company: {one:.2f} s per company", flush=True)
            chunked = timed_backups(companies, args.chunk)
            print(
                f"chunks of {args.chunk}: {chunked:.2f} s per company (ratio {one / chunked:.1f}x)",
                flush=True,
            )
            if args.all:
                result = all_companies(args.chunk, args.workers)
                print(
                    f"all {result['companies']} companies: {result['seconds']:.0f} s "
                    f"({result['seconds'] / max(1, result['companies']):.3f} s per company; "
                    f"median chunk {result['chunk_median']:.1f} s; failed {result['failed']}); "
                    f"one pg_dump per company would take about {one * result['companies']:.0f} s",
                    flush=True,
                )
            size = sum(path.stat().st_size for path in Path(backup_root).rglob("*.tar"))
            print(f"archives written: {size / 1e6:.1f} MB", flush=True)
        finally:
            Backup.objects.filter(requested_by__in=["bench", ""]).delete()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
