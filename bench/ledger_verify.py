"""Ledger verification benchmark: a chain of 1,000,000 entries in one company, verified.

    .venv/bin/python bench/ledger_verify.py [--entries 1000000] [--keep]

Runs against the benchmark database (`triboka_bench` beside DATABASE_URL's, or
BENCH_DATABASE_URL; created and migrated when missing) and one company, `bench-ledger`.
The chain is written with COPY (the trigger refuses only UPDATE and DELETE), its hashes
computed with the ledger's own functions (`canonical_content`, `chain_hash`), so the
verification checks real links. Payloads look like a lot event's (a snapshot of a lot's
fields). `--keep` reuses a chain of the right length left by an earlier run.

Then, timed in the same run:
- `SELECT count(*)`: what the database alone costs;
- reading every row as `ledger_verify` does (a server-side cursor, tuples) without hashing;
- `ledger_verify()`: reading, canonical JSON and SHA-256 of every entry.
Reports seconds, entries/s and the process's peak RSS after each phase.
"""

import argparse
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.provision import bench_company, bench_django_migrated  # noqa: E402

SLUG = "bench-ledger"
KINDS = ["received", "analysed", "fermented", "dried", "moved", "split", "merged"]


def say(message: str) -> None:
    print(message, flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def payload_of(n: int) -> dict:
    return {
        "event": n,
        "changes": {
            "weight_kg": [None, f"{1000 + n % 5000}.50"],
            "humidity_percent": [None, f"{6 + n % 3}.{n % 10}"],
            "status": ["received", "stored"],
        },
        "source": "",
    }


def write_chain(schema: str, entries: int) -> None:
    """TRUNCATE and COPY ``entries`` linked entries, hashing as ``ledger_append`` does."""
    import json

    from django.db import connection

    from erp.ledger.services import GENESIS_HASH, canonical_content, chain_hash

    started, prev_hash = time.monotonic(), GENESIS_HASH
    base = datetime(2026, 1, 1, tzinfo=UTC)
    table = f'"{schema}".ledger_ledgerentry'
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}")
        columns = "seq, at, kind, lot_id, lot_code, actor, payload, prev_hash, entry_hash"
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for seq in range(1, entries + 1):
                at = base + timedelta(seconds=seq * 7, microseconds=seq % 997)
                kind, lot_id = KINDS[seq % len(KINDS)], 1 + seq // 20
                lot_code, actor, payload = (
                    f"LT-2026-{lot_id:06d}",
                    f"user{seq % 40}@bench.test",
                    payload_of(seq),
                )
                content = canonical_content(
                    seq=seq, at=at, kind=kind, lot_id=lot_id, lot_code=lot_code, actor=actor, payload=payload
                )
                entry_hash = chain_hash(prev_hash, content)
                copy.write_row(
                    (seq, at, kind, lot_id, lot_code, actor, json.dumps(payload), prev_hash, entry_hash)
                )
                prev_hash = entry_hash
                if seq % 100_000 == 0:
                    say(f"  written {seq:,} entries ({seq / (time.monotonic() - started):,.0f}/s)")
        cursor.execute(f"ANALYZE {table}")
    say(f"Chain of {entries:,} entries written in {time.monotonic() - started:.1f} s")


def timed(label: str, entries: int, work) -> dict:
    started = time.monotonic()
    result = work()
    seconds = time.monotonic() - started
    row = {"what": label, "seconds": seconds, "per_s": entries / seconds, "rss": peak_rss_mb()}
    say(f"{label}: {seconds:.2f} s, {row['per_s']:,.0f} entries/s, peak RSS {row['rss']:.0f} MB")
    return row | {"result": result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="reuse a chain of that length if there is one")
    args = parser.parse_args()

    bench_django_migrated(say=say)
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.utils import tenant_context

    company = bench_company(slug=SLUG, name="Bench Ledger", ruc_seed=990_101, say=say)
    call_command("migrate_schemas", schema_name=company.schema_name, interactive=False, verbosity=0)
    from erp.ledger.models import LedgerEntry
    from erp.ledger.services import ROW_COLUMNS, VERIFY_CHUNK, ledger_verify

    say(f"Start: peak RSS {peak_rss_mb():.0f} MB")
    with tenant_context(company):
        if not (args.keep and LedgerEntry.objects.count() == args.entries):
            write_chain(company.schema_name, args.entries)
        n = args.entries

        def count():
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM ledger_ledgerentry")
                return cursor.fetchone()[0]

        def read_only():
            rows = LedgerEntry.objects.order_by("seq").values_list(*ROW_COLUMNS)
            return sum(1 for _row in rows.iterator(chunk_size=VERIFY_CHUNK))

        def verify():
            shown = time.monotonic()

            def progress(done):
                nonlocal shown
                if time.monotonic() - shown > 2:
                    shown = time.monotonic()
                    say(f"  verified {done:,} entries")

            return ledger_verify(progress=progress)

        rows = [timed("SELECT count(*)", n, count), timed("read every row, no hashing", n, read_only)]
        rows.append(timed("ledger_verify() (read + canonical JSON + SHA-256)", n, verify))
    report = rows[-1]["result"]
    assert report.intact and report.entries == n, report
    say("")
    say(f"| what ({n:,} entries) | seconds | entries/s | peak RSS |")
    say("| --- | ---: | ---: | ---: |")
    for row in rows:
        say(f"| {row['what']} | {row['seconds']:.2f} | {row['per_s']:,.0f} | {row['rss']:.0f} MB |")


if __name__ == "__main__":
    main()
