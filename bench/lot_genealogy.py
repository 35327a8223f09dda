"""Lot genealogy benchmark: a lot with 11,110 ancestors, read up and down.

    .venv/bin/python bench/lot_genealogy.py [--runs 20]

Runs against the benchmark database (see bench/provision.py) and one company,
`bench-genealogy`. The tree is a blend: 10,000 reception lots merged ten at a time into
1,000 lots, those into 100, 10 and finally the export lot (11,110 ancestors, 5 levels),
each reception lot with its reception, written with bulk inserts. A baseline lot with 10
ancestors sits beside it. Timed in the
same run, `--runs` times each (after one warm-up):
- the recursive query alone (`lot_lineage_edges`), up from the export lot and the baseline,
  down from one reception lot;
- the whole tree (`lot_genealogy`: the query, the lots' rows, the receptions at the roots,
  the nested dicts);
- the whole request `GET /api/v1/lots/{id}/genealogy/` as a client makes it (Django's test
  client through every middleware, a company admin's JWT, the JSON rendered), the budget's
  figure.
"""

import argparse
import math
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.provision import bench_company, bench_django_migrated  # noqa: E402

SLUG = "bench-genealogy"
FAN_IN = 10


def say(message: str) -> None:
    print(message, flush=True)


def receptions_for(lots, *, center, supplier, prefix: str):
    """One 100 kg reception (fixed price, no discounts) that started each lot."""
    from django.utils import timezone

    from erp.reception.models import Reception

    now = timezone.now()
    hundred, none = Decimal("100"), Decimal("0")
    Reception.objects.bulk_create(
        [
            Reception(
                number=f"{prefix}-{n}", center=center, supplier=supplier, received_at=now, form="seco",
                variety="nacional", gross_weight_kg=hundred, tare_weight_kg=none, net_weight_kg=hundred,
                moisture_percent=Decimal("7"), standard_moisture_percent=Decimal("7"),
                moisture_discount_kg=none, impurities_discount_kg=none, price_mode="fixed",
                price_usd_per_qq=Decimal("120"), paid_weight_kg=hundred, amount_usd=Decimal("264.55"),
                lot=lot,
            )
            for n, lot in enumerate(lots)
        ],
        batch_size=5000,
    )  # fmt: skip


def build_tree(owner, supplier, prefix: str, leaves: int):
    """Leaves (each with its reception) merged FAN_IN at a time up to one lot; returns the
    top lot and a leaf."""
    from erp.lots.models import Lot, LotLink

    level = Lot.objects.bulk_create(
        [Lot(code=f"{prefix}-0-{n}", owner=owner, weight_kg=Decimal("100")) for n in range(leaves)],
        batch_size=5000,
    )
    receptions_for(level, center=owner, supplier=supplier, prefix=prefix)
    leaf, depth = level[0], 0
    while len(level) > 1:
        depth += 1
        groups = [level[i : i + FAN_IN] for i in range(0, len(level), FAN_IN)]
        parents = Lot.objects.bulk_create(
            [
                Lot(code=f"{prefix}-{depth}-{n}", owner=owner, weight_kg=sum(lot.weight_kg for lot in group))
                for n, group in enumerate(groups)
            ]
        )
        LotLink.objects.bulk_create(
            [
                LotLink(parent=lot, child=merged, kind="merge", kg=lot.weight_kg)
                for merged, group in zip(parents, groups, strict=True)
                for lot in group
            ],
            batch_size=5000,
        )
        level = parents
    return level[0], leaf


def timed(function, runs: int) -> tuple[float, float, object]:
    """p50 and p95 (nearest rank) in ms. The previous answer is freed before the clock
    starts, as a server frees it after the client has it (an 11,110-lot tree: ~10 ms)."""
    result = function()  # warm-up
    samples = []
    for _ in range(runs):
        del result
        started = time.perf_counter()
        result = function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[math.ceil(len(samples) * 0.95) - 1], result


def size_of(result) -> str:
    if isinstance(result, list):
        return f"{len(result):,} edges"
    if hasattr(result, "content"):
        return f"{len(result.content) / 1e6:.2f} MB"
    return "—"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    bench_django_migrated(say=say)
    from django.core.management import call_command
    from django.test import Client
    from django_tenants.utils import tenant_context

    from erp.lots.genealogy import lot_genealogy, lot_lineage_edges
    from erp.lots.models import Lot, LotLink
    from erp.partners.models import Partner
    from erp.reception.models import Reception
    from triboka.accounts.models import User
    from triboka.accounts.tokens import LoginSerializer

    company = bench_company(slug=SLUG, name="Bench Genealogy", ruc_seed=990_201, say=say)
    call_command("migrate_schemas", schema_name=company.schema_name, interactive=False, verbosity=0)
    with tenant_context(company):
        say("[1/3] building the trees (bulk inserts)")
        Reception.objects.all().delete()
        LotLink.objects.all().delete()
        Lot.all_objects.all().delete()
        owner = Partner.objects.filter(kind="center").first() or Partner.objects.create(
            name="Centro Bench", kind="center", tax_id="0912345675001"
        )
        supplier = Partner.objects.filter(kind="supplier").first() or Partner.objects.create(
            name="Proveedor Bench", kind="supplier", tax_id="0912345683"
        )
        top, leaf = build_tree(owner, supplier, "BIG", 10_000)
        small, _small_leaf = build_tree(owner, supplier, "SMALL", 10)
        from django.db import connection

        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give them
            cursor.execute("VACUUM ANALYZE lots_lot")
            cursor.execute("VACUUM ANALYZE lots_lotlink")
            cursor.execute("VACUUM ANALYZE reception_reception")
        visible = Lot.all_objects.all()
        admin = User.objects.get(email=f"admin@{SLUG}.test")
        client = Client(
            HTTP_HOST=company.domains.get(is_primary=True).domain,
            HTTP_AUTHORIZATION=f"Bearer {LoginSerializer.get_token(admin).access_token}",
        )

        def fetched(lot):
            response = client.get(f"/api/v1/lots/{lot.pk}/genealogy/?direction=up")
            assert response.status_code == 200, response.content[:300]
            return response  # its content read by the client, the tree it holds freed after

        say(
            f"[2/3] {Lot.all_objects.count():,} lots, {LotLink.objects.count():,} links; "
            f"timing {args.runs} runs each"
        )
        rows = []
        for label, function in [
            (
                "up, 10 ancestors (baseline): query",
                lambda: lot_lineage_edges(lot_id=small.pk, direction="up"),
            ),
            ("up, 11,110 ancestors: query", lambda: lot_lineage_edges(lot_id=top.pk, direction="up")),
            ("down from a reception lot: query", lambda: lot_lineage_edges(lot_id=leaf.pk, direction="down")),
            (
                "up, 10 ancestors (baseline): tree",
                lambda: lot_genealogy(lot=small, direction="up", visible=visible),
            ),
            ("up, 11,110 ancestors: tree", lambda: lot_genealogy(lot=top, direction="up", visible=visible)),
            ("up, 10 ancestors (baseline): GET genealogy", lambda: fetched(small)),
            ("up, 11,110 ancestors: GET genealogy", lambda: fetched(top)),
        ]:
            p50, p95, result = timed(function, args.runs)
            size = size_of(result)
            rows.append((label, size, p50, p95))
            say(f"  {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
        say("[3/3] results")
        say("| what | size | p50 ms | p95 ms |\n| --- | ---: | ---: | ---: |")
        for label, size, p50, p95 in rows:
            say(f"| {label} | {size} | {p50:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
