"""What a lot and a shipment cost, followed through the lots' genealogy.

A lot's cost, by head (purchase, then each kind of cost):

* **purchase**: the ``amount_usd`` of the valid receptions that went into the lot;
* **its direct costs**: the costs laid on the lot, by kind;
* **its parents' share**: for each link parent → lot, the link's kg × the parent's unit cost.

Its **unit cost** (USD/kg) = total cost / (the lot's weight now + the kg it passed on to
children). So what drying takes away raises the cost of each remaining kg, and the parts of
a split and the remainder share the parent's cost by their kg. A lot closed by a split or a
blend (soft-deleted) holds nothing any more: its weight field keeps what it weighed when it
closed, which its children took.

Worked example: receptions of 1,000 kg for 2,600 USD (lot A) and 500 kg for 1,400 USD (lot B)
blended into lot M (1,500 kg, 4,000 USD); 150 USD of transport laid on M (4,150 USD); M split
into a part P of 600 kg, keeping 900 kg. M's unit cost is 4,150 / (900 + 600) = 2.7666… USD/kg;
P costs 600 × 4,150 / 1,500 = 1,660 USD and M's 900 kg keep 2,490 USD. If P then dries to
500 kg, its 1,660 USD are spread over 500 kg: 3.32 USD/kg.

The same walk tells whose cacao is in a lot: the net kg each supplier's receptions put into
it, followed through the links in proportion to kg (a lot made by hand, with neither
receptions nor parents, is of no known supplier: ``None``).

Everything is read in four queries whatever the number of lots: one recursive walk up from
all the lots asked for, the lots (with the kg they passed on), their receptions, their costs.
Amounts stay exact here; they are rounded half-up to cents when shown or stored.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce

from erp.export.models import ContainerLot, Shipment
from erp.lots.genealogy import lot_lineage_edges
from erp.lots.models import Lot, LotLink
from erp.reception.models import Reception
from erp.units import CENT, amount_at_tm_price

from .models import Cost, CostKind

ZERO = Decimal("0")
PURCHASE = "purchase"
HEADS = (PURCHASE, *CostKind.values)


def _heads() -> dict[str, Decimal]:
    return dict.fromkeys(HEADS, ZERO)


@dataclass(frozen=True)
class LotCost:
    lot_id: int
    held_kg: Decimal
    passed_kg: Decimal
    by_head: dict[str, Decimal]
    supplier_kg: dict[int | None, Decimal] = field(default_factory=dict)

    @property
    def base_kg(self) -> Decimal:
        return self.held_kg + self.passed_kg

    @property
    def total_usd(self) -> Decimal:
        return sum(self.by_head.values(), ZERO)

    @property
    def unit_usd_per_kg(self) -> Decimal | None:
        return self.total_usd / self.base_kg if self.base_kg else None

    def unit_by_head(self) -> dict[str, Decimal]:
        if not self.base_kg:
            return _heads()
        return {head: amount / self.base_kg for head, amount in self.by_head.items()}

    def supplier_shares(self) -> dict[int | None, Decimal]:
        """Each supplier's fraction of the lot's cacao (adding up to 1)."""
        total = sum(self.supplier_kg.values(), ZERO)
        return {supplier: kg / total for supplier, kg in self.supplier_kg.items()} if total else {}


# --- Reading -----------------------------------------------------------------------------


def _edges_up(lot_ids: list[int]) -> list[tuple[int, int, str]]:
    """(child, parent, kg) of every link above the lots: one recursive query."""
    if len(lot_ids) == 1:
        return lot_lineage_edges(lot_id=lot_ids[0], direction="up")
    table = connection.ops.quote_name(LotLink._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE walk(near, far, kg) AS (
                SELECT child_id, parent_id, kg FROM {table} WHERE child_id = ANY(%s)
              UNION
                SELECT l.child_id, l.parent_id, l.kg FROM {table} l JOIN walk w ON l.child_id = w.far
            )
            SELECT near, far, kg::text FROM walk
            """,
            [lot_ids],
        )
        return cursor.fetchall()


def _held_and_passed(ids) -> dict[int, tuple[Decimal, Decimal]]:
    passed = Coalesce(Sum("child_links__kg"), Value(ZERO), output_field=DecimalField())
    rows = Lot.all_objects.filter(pk__in=ids).order_by().annotate(passed=passed)
    found = {}
    for pk, weight, deleted_at, passed_kg in rows.values_list("pk", "weight_kg", "deleted_at", "passed"):
        closed = deleted_at is not None and passed_kg > 0  # split whole or blended: its kg went on
        found[pk] = (ZERO if closed else weight, passed_kg)
    return found


def _own_amounts(ids) -> tuple[dict, dict]:
    """The lots' own purchase and costs by head, and the net kg of their receptions by supplier."""
    amounts: dict[int, dict[str, Decimal]] = defaultdict(_heads)
    supplier_kg: dict[int, dict] = defaultdict(dict)
    receptions = (
        Reception.objects.valid()
        .filter(lot_id__in=ids)
        .order_by()
        .values("lot_id", "supplier_id")
        .annotate(amount=Sum("amount_usd"), kg=Sum("net_weight_kg"))
    )
    for row in receptions:
        amounts[row["lot_id"]][PURCHASE] += row["amount"]
        supplier_kg[row["lot_id"]][row["supplier_id"]] = row["kg"]
    costs = (
        Cost.objects.filter(lot_id__in=ids)
        .order_by()
        .values("lot_id", "kind")
        .annotate(amount=Sum("amount_usd"))
    )
    for row in costs:
        amounts[row["lot_id"]][row["kind"]] += row["amount"]
    return amounts, supplier_kg


def lot_costs(*, lot_ids) -> dict[int, LotCost]:
    """The cost of each lot asked for and of every lot above it, by id."""
    start = sorted(set(lot_ids))
    if not start:
        return {}
    parents: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for child, parent, kg in _edges_up(start):
        parents[child].append((parent, Decimal(kg)))
    ids = {*start, *(parent for links in parents.values() for parent, _kg in links)}
    weights = _held_and_passed(list(ids))
    amounts, supplier_kg = _own_amounts(list(ids))
    return _Walk(parents, weights, amounts, supplier_kg).all(start)


def lot_cost(*, lot: Lot) -> LotCost:
    return lot_costs(lot_ids=[lot.pk])[lot.pk]


class _Walk:
    """Costs each lot after its parents (links always run from older lots to newer ones, so
    there is no cycle), without recursion: a chain may be a hundred levels deep."""

    def __init__(self, parents, weights, amounts, supplier_kg):
        self.parents, self.weights, self.amounts, self.supplier_kg = parents, weights, amounts, supplier_kg
        self.done: dict[int, LotCost] = {}

    def all(self, start) -> dict[int, LotCost]:
        for lot_id in start:
            stack = [(lot_id, False)]
            while stack:
                current, parents_done = stack.pop()
                if current in self.done:
                    continue
                if parents_done:
                    self.done[current] = self._cost(current)
                else:
                    stack.append((current, True))
                    stack.extend((parent, False) for parent, _kg in self.parents.get(current, ()))
        return self.done

    def _cost(self, lot_id: int) -> LotCost:
        by_head = dict(self.amounts.get(lot_id) or _heads())
        origin: dict[int | None, Decimal] = defaultdict(lambda: ZERO, self.supplier_kg.get(lot_id, {}))
        for parent_id, kg in self.parents.get(lot_id, ()):
            parent = self.done[parent_id]
            for head, unit in parent.unit_by_head().items():
                by_head[head] += kg * unit
            for supplier, share in parent.supplier_shares().items():
                origin[supplier] += kg * share
        held, passed = self.weights.get(lot_id, (ZERO, ZERO))
        if not origin:
            origin[None] = held + passed
        return LotCost(lot_id, held, passed, by_head, dict(origin))


# --- Shipments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    container_id: int
    lot_id: int
    kg: Decimal


@dataclass(frozen=True)
class ShipmentMargin:
    """A shipment's revenue (None while its sale has no price), cost by head and margin,
    exact; ``money()`` rounds for showing."""

    shipment: Shipment
    loads: list[Load]
    revenue_usd: Decimal | None
    cost_by_head: dict[str, Decimal]
    direct_cost_usd: Decimal
    unit_costs: dict[int, LotCost]

    @property
    def priced(self) -> bool:
        return self.revenue_usd is not None

    @property
    def kg(self) -> Decimal:
        return sum((load.kg for load in self.loads), ZERO)

    @property
    def cost_usd(self) -> Decimal:
        return sum(self.cost_by_head.values(), ZERO)

    @property
    def margin_usd(self) -> Decimal | None:
        return None if self.revenue_usd is None else self.revenue_usd - self.cost_usd

    @property
    def margin_percent(self) -> Decimal | None:
        return margin_percent(self.revenue_usd, self.cost_usd)


def money(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT, ROUND_HALF_UP)


def margin_percent(revenue: Decimal | None, cost: Decimal) -> Decimal | None:
    """(revenue − cost) / revenue × 100; None without a revenue to divide by."""
    if not revenue:
        return None
    return money((revenue - cost) / revenue * 100)


def revenue_of(price_usd_per_tm: Decimal | None, loads: list[Load]) -> Decimal | None:
    """TM × the sale's price, rounded half-up to cents container by container and added up,
    as the commercial invoice does (erp/export/documents_pdf.py)."""
    if price_usd_per_tm is None:
        return None
    per_container: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for load in loads:
        per_container[load.container_id] += load.kg
    return sum((amount_at_tm_price(kg, price_usd_per_tm) for kg in per_container.values()), ZERO)


def shipments_loads(shipment_ids) -> dict[int, list[Load]]:
    rows = (
        ContainerLot.objects.filter(container__shipment_id__in=shipment_ids)
        .order_by("pk")
        .values_list("container__shipment_id", "container_id", "lot_id", "kg")
    )
    loads: dict[int, list[Load]] = defaultdict(list)
    for shipment_id, container_id, lot_id, kg in rows:
        loads[shipment_id].append(Load(container_id, lot_id, kg))
    return loads


def shipment_revenue_usd(*, shipment: Shipment) -> Decimal | None:
    """The shipment's invoice amount (None while its sales contract has no price)."""
    price = shipment.sales_contract.sale_price_usd_per_tm
    return revenue_of(price, shipments_loads([shipment.pk]).get(shipment.pk, []))


def _direct_costs(shipment_ids) -> dict[int, dict[str, Decimal]]:
    rows = (
        Cost.objects.filter(shipment_id__in=shipment_ids)
        .order_by()
        .values("shipment_id", "kind")
        .annotate(amount=Sum("amount_usd"))
    )
    found: dict[int, dict[str, Decimal]] = defaultdict(_heads)
    for row in rows:
        found[row["shipment_id"]][row["kind"]] += row["amount"]
    return found


def shipment_margins(*, shipments) -> list[ShipmentMargin]:
    """Revenue, cost and margin of each shipment (``sales_contract`` selected with them):
    a fixed number of queries for any number of shipments."""
    shipments = list(shipments)
    ids = [shipment.pk for shipment in shipments]
    loads = shipments_loads(ids)
    costs = lot_costs(lot_ids={load.lot_id for rows in loads.values() for load in rows})
    direct = _direct_costs(ids)
    margins = []
    for shipment in shipments:
        rows = loads.get(shipment.pk, [])
        by_head = _heads()
        for load in rows:
            for head, unit in costs[load.lot_id].unit_by_head().items():
                by_head[head] += load.kg * unit
        own = direct.get(shipment.pk) or _heads()
        for head, amount in own.items():
            by_head[head] += amount
        revenue = revenue_of(shipment.sales_contract.sale_price_usd_per_tm, rows)
        margins.append(ShipmentMargin(shipment, rows, revenue, by_head, sum(own.values(), ZERO), costs))
    return margins


def shipment_cost(*, shipment: Shipment) -> ShipmentMargin:
    """Σ loads (kg × the lot's unit cost) + the shipment's own costs, by head, with its margin."""
    return shipment_margins(shipments=[shipment])[0]
