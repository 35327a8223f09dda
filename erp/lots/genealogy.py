"""A lot's genealogy, read with one recursive query each way (no loop of queries).

"up" walks from a lot to every lot that fed it (through splits and merges, back to the
lots a reception created); "down" to every lot it went into.
"""

import gc
from contextlib import contextmanager

import orjson
from django.db import connection
from django.db.models import Func, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from .models import LotLink

# Far beyond any real chain of splits and blends (each level is beans weighed and moved), and
# inside what a JSON encoder nests: a level is two (a node, its list of lots), orjson stops
# at 254.
MAX_DEPTH = 100

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


def lot_lineage_ids(*, lot, direction: str = "up") -> list[int]:
    """The lot's id and those of all its ancestors ("up") or descendants ("down")."""
    edges = lot_lineage_edges(lot_id=lot.pk, direction=direction)
    return [lot.pk, *sorted({far for _near, far, _kg in edges})]


def _among(ids) -> RawSQL:
    """``pk__in`` of many ids as one array literal: the planner then knows how many there
    are (a recursive query's estimate is a fixed guess), and 11,110 ids cost one string join
    rather than 11,110 placeholders or an adapted list."""
    return RawSQL("SELECT unnest(%s::bigint[])", ["{" + ",".join(map(str, ids)) + "}"])


def lot_genealogy(*, lot, direction: str, visible) -> dict:
    """The tree as nested dicts. ``visible`` is the queryset of lots the user may see: other
    lots appear as a node without details ("lot of another partner"), so the shape of the
    chain is known but nothing of someone else's lot. Receptions since voided fed nothing
    and are left out.

    A lot reached a second time (parts of one lot blended back together) is shown once in
    full and afterwards as ``"repeated": true`` without its branches, so the answer grows
    with the links, never with the paths (twenty split-and-merge rounds would otherwise
    double it twenty times). Nodes nest at most MAX_DEPTH levels: a lot there with more
    behind it says ``"deeper": true`` and its own genealogy goes on from it.

    Three queries whatever the size: the walk, the lots, their receptions, read as tuples
    with numbers and times as the database's text (model instances, Decimals and datetimes
    for 11,110 lots took most of a second)."""
    with _no_cyclic_collection():
        return _genealogy(lot=lot, direction=direction, visible=visible)


def lot_genealogy_json(*, lot, direction: str, visible) -> bytes:
    """The tree of ``lot_genealogy`` as JSON, built, written and freed with the collector
    off: turned back on while 100,000 dicts and lists of a tree are still alive, its next
    passes walk all of them (a second-generation pass took 160 ms, once every ten answers)."""
    with _no_cyclic_collection():
        return orjson.dumps(_genealogy(lot=lot, direction=direction, visible=visible))


def _genealogy(*, lot, direction: str, visible) -> dict:
    edges = lot_lineage_edges(lot_id=lot.pk, direction=direction)
    ids = _among({lot.pk, *(far for _near, far, _kg in edges)})
    details = {
        pk: (code, weight, owner)
        for pk, code, weight, owner in visible.filter(pk__in=ids)
        .order_by()
        .values_list("pk", "code", Cast("weight_kg", TextField()), "owner__name")
    }
    receptions = _receptions_of(ids, shown=details)
    children: dict[int, list] = {}
    for near, far, kg in edges:
        children.setdefault(near, []).append((far, kg))
    return _Tree(details, receptions, children).node(lot.pk)


class _Tree:
    """Nests the walked links into nodes. Links always point from older lots to lots made
    from them (a split's parts, a blend), so there are no cycles to guard against, only
    lots reached twice and chains deeper than an answer can nest."""

    def __init__(self, details, receptions, children):
        self.details, self.receptions, self.children = details, receptions, children
        self.expanded: set[int] = set()

    def node(self, pk, kg=None, depth=0) -> dict:
        if pk not in self.details:
            return {"id": None, "code": None, "hidden": True, "kg": kg, "lots": []}
        code, weight, owner = self.details[pk]
        shown = {"id": pk, "code": code, "hidden": False, "owner": owner, "weight_kg": weight, "kg": kg}
        if pk in self.expanded:
            return {**shown, "repeated": True, "receptions": [], "lots": []}
        further = self.children.get(pk, ())
        if further and depth == MAX_DEPTH:
            return {**shown, "deeper": True, "receptions": [], "lots": []}
        self.expanded.add(pk)
        shown["receptions"] = self.receptions.get(pk, [])
        shown["lots"] = [self.node(far, k, depth + 1) for far, k in further]
        return shown


@contextmanager
def _no_cyclic_collection():
    """The cyclic collector off while a genealogy is read and built. Its tens of thousands of
    rows and dicts, all kept until the answer is sent, set it off a hundred times per tree,
    and every few trees a full collection of the process (~100 ms, half of an 11,110-lot
    genealogy's time); none of them can form a cycle, so reference counting frees them."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


_ISO_8601 = 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM'


def _receptions_of(lot_ids, *, shown) -> dict[int, list]:
    from erp.reception.models import Reception  # receptions build on lots, not the reverse

    rows = (
        Reception.objects.valid()
        .filter(lot_id__in=lot_ids)
        .order_by("received_at", "pk")
        .values_list(
            "lot_id",
            "number",
            "supplier__name",
            Func("received_at", Value(_ISO_8601), function="to_char", output_field=TextField()),
            Cast("net_weight_kg", TextField()),
        )
    )
    found: dict[int, list] = {}
    for lot_id, number, supplier, received_at, net_kg in rows:
        if lot_id in shown:
            found.setdefault(lot_id, []).append(
                {"number": number, "supplier": supplier, "received_at": received_at, "net_weight_kg": net_kg}
            )
    return found
