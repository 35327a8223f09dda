"""A lot's genealogy, read with one recursive query each way (no loop of queries).

"up" walks from a lot to every lot that fed it (through splits and merges, back to the
lots a reception created); "down" to every lot it went into.
"""

import gc

from django.db import connection
from django.db.models import TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from .models import LotLink

_WALK = {"up": ("parent_id", "child_id"), "down": ("child_id", "parent_id")}


def _walk(direction: str) -> str:
    """The recursive query of the edges (near, far, kg) reachable from the lot ``%s``."""
    if direction not in _WALK:
        raise ValueError(direction)
    further, nearer = _WALK[direction]
    table = connection.ops.quote_name(LotLink._meta.db_table)
    return f"""
        WITH RECURSIVE walk(near, far, kg) AS (
            SELECT {nearer}, {further}, kg FROM {table} WHERE {nearer} = %s
          UNION
            SELECT l.{nearer}, l.{further}, l.kg FROM {table} l JOIN walk w ON l.{nearer} = w.far
        )
    """


def lot_lineage_edges(*, lot_id: int, direction: str = "up") -> list[tuple[int, int, str]]:
    """(from, to, kg) edges reachable from the lot, ``to`` being one step further away; kg as
    the database's text (exact, and no Decimal to build for each of thousands of edges)."""
    with connection.cursor() as cursor:
        cursor.execute(_walk(direction) + "SELECT near, far, kg::text FROM walk", [lot_id])
        return cursor.fetchall()


def _among(ids: list[int]) -> RawSQL:
    """``pk__in`` of many ids as one array parameter (11,110 placeholders took longer to
    build and plan than the query ran)."""
    return RawSQL("SELECT unnest(%s::bigint[])", [ids])


def lot_lineage_ids(*, lot, direction: str = "up") -> list[int]:
    """The lot's id and those of all its ancestors ("up") or descendants ("down")."""
    edges = lot_lineage_edges(lot_id=lot.pk, direction=direction)
    return [lot.pk, *sorted({far for _near, far, _kg in edges})]


def lot_genealogy(*, lot, direction: str, visible) -> dict:
    """The tree as nested dicts. ``visible`` is the queryset of lots the user may see: other
    lots appear as a node without details ("lot of another partner"), so the shape of the
    chain is known but nothing of someone else's lot. Rows are read as tuples (11,110
    ancestors: building model instances took most of a second)."""
    edges = lot_lineage_edges(lot_id=lot.pk, direction=direction)
    ids = [lot.pk, *{far for _n, far, _k in edges}]
    details = {
        pk: (code, weight, owner)
        for pk, code, weight, owner in visible.filter(pk__in=_among(ids))
        .order_by()
        .values_list("pk", "code", Cast("weight_kg", TextField()), "owner__name")
    }
    children: dict[int, list] = {}
    for near, far, kg in edges:
        children.setdefault(near, []).append((far, kg))
    receptions = _receptions_of(_among(ids), shown=details)

    # Links always point from older lots to lots made from them (a split's parts, a blend),
    # so the walk has no cycles to guard against.
    def node(pk, kg=None):
        if pk not in details:
            return {"id": None, "code": None, "hidden": True, "kg": kg, "lots": []}
        code, weight, owner = details[pk]
        return {
            "id": pk,
            "code": code,
            "hidden": False,
            "owner": owner,
            "weight_kg": weight,
            "kg": kg,
            "receptions": receptions.get(pk, []),
            "lots": [node(far, k) for far, k in children.get(pk, ())],
        }

    # Thousands of small dicts kept alive trip the cyclic collector over and over (it took
    # half the time of an 11,110-lot tree); none of them can form a cycle.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return node(lot.pk)
    finally:
        if collecting:
            gc.enable()


def _receptions_of(lot_ids, *, shown) -> dict[int, list]:
    from erp.reception.models import Reception  # receptions build on lots, not the reverse

    found: dict[int, list] = {}
    rows = Reception.objects.filter(lot_id__in=lot_ids).select_related("supplier").order_by("received_at")
    for reception in rows:
        if reception.lot_id not in shown:
            continue
        found.setdefault(reception.lot_id, []).append(
            {
                "number": reception.number,
                "supplier": reception.supplier.name,
                "received_at": reception.received_at.isoformat(),
                "net_weight_kg": str(reception.net_weight_kg),
            }
        )
    return found
