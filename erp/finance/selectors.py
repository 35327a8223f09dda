"""Reads of finance: costs and payments (the company side's), margins grouped by shipment,
sales contract, month or supplier, payables to suppliers (a supplier reads its own) and
receivables from buyers.

Margins by supplier: each loaded lot's kilograms are attributed to the suppliers whose
valid receptions are behind it, in proportion to the net kg each one's receptions put into
it (followed through splits and blends by kg: erp/finance/costing.py); the load's revenue
(its kg × the sale's price) and cost (its kg × the lot's unit cost, plus the shipment's own
costs shared over its loads by kg) are shared the same way. Cacao of no known supplier (a lot
made by hand) and the own costs of a shipment with nothing loaded go to a row without a
supplier. Revenue is not rounded per container there, so the rows may differ from the
invoices by a cent.

Shipments whose sales contract has no price yet are never counted as 0: they are listed
apart as "not priced" (``MarginReport.not_priced``).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from erp.access import is_company_side, user_partner_id
from erp.export.models import Shipment, ShipmentStatus
from erp.partners.models import Partner
from erp.reception.models import Reception
from erp.units import KG_PER_TM
from triboka.accounts.models import Role

from .costing import ZERO, ShipmentMargin, margin_percent, revenue_of, shipment_margins, shipments_loads
from .models import BuyerPayment, Cost, SupplierPayment

MONEY = DecimalField(max_digits=14, decimal_places=2)


class PaymentStatus:
    PAID = "paid"
    PARTIAL = "partial"
    PENDING = "pending"
    NOT_PRICED = "not_priced"


def _company_side(user, queryset: QuerySet) -> QuerySet:
    return queryset if is_company_side(user) else queryset.none()


def cost_list(*, user) -> QuerySet[Cost]:
    return _company_side(user, Cost.objects.select_related("lot", "shipment", "created_by"))


def supplier_payment_list(*, user) -> QuerySet[SupplierPayment]:
    payments = SupplierPayment.objects.select_related("reception", "reception__supplier", "created_by")
    return _company_side(user, payments)


def buyer_payment_list(*, user) -> QuerySet[BuyerPayment]:
    return _company_side(user, BuyerPayment.objects.select_related("shipment", "created_by"))


def shipments_for_margins(*, user) -> QuerySet[Shipment]:
    shipments = Shipment.objects.select_related("sales_contract", "sales_contract__buyer").order_by(
        "-created_at", "-pk"
    )
    return _company_side(user, shipments)


# --- Payables ----------------------------------------------------------------------------


def _status(paid, pending) -> Case:
    return Case(
        When(**{f"{pending}__lte": 0}, then=Value(PaymentStatus.PAID)),
        When(**{f"{paid}__gt": 0}, then=Value(PaymentStatus.PARTIAL)),
        default=Value(PaymentStatus.PENDING),
    )


def payable_list(*, user) -> QuerySet[Reception]:
    """Valid receptions with ``paid_usd``, ``pending_usd`` and ``payment_status`` (one query):
    all of them for the company side, a supplier's own for a supplier, none for anyone else."""
    paid = (
        SupplierPayment.objects.filter(reception=OuterRef("pk"))
        .order_by()
        .values("reception")
        .annotate(total=Sum("amount_usd"))
        .values("total")
    )
    receptions = (
        Reception.objects.valid()
        .select_related("supplier", "center")
        .annotate(paid_usd=Coalesce(Subquery(paid, output_field=MONEY), Value(ZERO), output_field=MONEY))
        .annotate(pending_usd=F("amount_usd") - F("paid_usd"))
        .annotate(payment_status=_status("paid_usd", "pending_usd"))
        .order_by("received_at", "pk")
    )
    if is_company_side(user):
        return receptions
    partner = user_partner_id(user)
    if partner is None or getattr(user, "role", None) != Role.SUPPLIER:
        return receptions.none()
    return receptions.filter(supplier_id=partner)


def days_since(reception: Reception, today: date | None = None) -> int:
    return ((today or timezone.localdate()) - timezone.localdate(reception.received_at)).days


AGEING_BUCKETS = (
    ("days_0_30", _("0–30 days"), 0, 30),
    ("days_31_60", _("31–60 days"), 31, 60),
    ("days_61_90", _("61–90 days"), 61, 90),
    ("days_over_90", _("Over 90 days"), 91, None),
)


def payables_ageing(*, user, today: date | None = None) -> list[dict]:
    """What is pending per supplier, by the age of its receptions (days since the day it was
    received, in the company's time zone): 0–30, 31–60, 61–90 and over 90 days."""
    today = today or timezone.localdate()
    pending = payable_list(user=user).filter(pending_usd__gt=0).annotate(received_on=TruncDate("received_at"))
    sums = {}
    for key, _label, low, high in AGEING_BUCKETS:
        condition = Q(received_on__lte=today - timedelta(days=low))
        if high is not None:
            condition &= Q(received_on__gte=today - timedelta(days=high))
        sums[key] = Coalesce(Sum("pending_usd", filter=condition), Value(ZERO), output_field=MONEY)
    rows = (
        pending.values("supplier_id", "supplier__name")
        .annotate(**sums, total=Sum("pending_usd"))
        .order_by("supplier__name", "supplier_id")
    )
    return [
        {"supplier": row["supplier_id"], "supplier_name": row["supplier__name"], **_bucket_values(row)}
        for row in rows
    ]


def _bucket_values(row) -> dict:
    return {key: row[key] for key, *_rest in AGEING_BUCKETS} | {"total": row["total"]}


# --- Receivables -------------------------------------------------------------------------


@dataclass(frozen=True)
class Receivable:
    shipment: Shipment
    revenue_usd: Decimal | None
    received_usd: Decimal

    @property
    def pending_usd(self) -> Decimal | None:
        return None if self.revenue_usd is None else self.revenue_usd - self.received_usd

    @property
    def status(self) -> str:
        if self.revenue_usd is None:
            return PaymentStatus.NOT_PRICED
        if self.pending_usd <= 0:
            return PaymentStatus.PAID
        return PaymentStatus.PARTIAL if self.received_usd > 0 else PaymentStatus.PENDING


def receivable_list(*, user) -> list[Receivable]:
    """Each shipment with something loaded or paid: its invoice amount less what the buyer
    paid (three queries)."""
    shipments = list(shipments_for_margins(user=user).exclude(status=ShipmentStatus.CANCELLED))
    ids = [shipment.pk for shipment in shipments]
    loads = shipments_loads(ids)
    received = dict(
        BuyerPayment.objects.filter(shipment_id__in=ids)
        .order_by()
        .values("shipment_id")
        .annotate(total=Sum("amount_usd"))
        .values_list("shipment_id", "total")
    )
    return [
        Receivable(
            shipment,
            revenue_of(shipment.sales_contract.sale_price_usd_per_tm, loads.get(shipment.pk, [])),
            received.get(shipment.pk, ZERO),
        )
        for shipment in shipments
        if shipment.pk in loads or shipment.pk in received
    ]


# --- Margins -----------------------------------------------------------------------------


@dataclass
class MarginRow:
    key: object
    label: str
    shipments: int = 0
    kg: Decimal = ZERO
    revenue_usd: Decimal = ZERO
    cost_usd: Decimal = ZERO
    extra: dict = field(default_factory=dict)

    @property
    def margin_usd(self) -> Decimal:
        return self.revenue_usd - self.cost_usd

    @property
    def margin_percent(self) -> Decimal | None:
        return margin_percent(self.revenue_usd, self.cost_usd)


@dataclass
class MarginReport:
    rows: list[MarginRow]
    not_priced: list[ShipmentMargin]


MARGIN_GROUPINGS = ("shipment", "contract", "month", "supplier")


def margins_by(*, user, by: str) -> MarginReport:
    """Margins of the company's shipments grouped ``by`` shipment, contract, month (of the
    ETD, or of its creation while it has none) or supplier."""
    margins = shipment_margins(shipments=shipments_for_margins(user=user))
    priced = [margin for margin in margins if margin.priced]
    not_priced = [margin for margin in margins if not margin.priced]
    if by == "supplier":
        return MarginReport(_by_supplier(priced), not_priced)
    key = {"shipment": _shipment_key, "contract": _contract_key, "month": _month_key}[by]
    rows: dict[object, MarginRow] = {}
    for margin in priced:
        group, label, extra = key(margin.shipment)
        row = rows.setdefault(group, MarginRow(group, label, extra=extra))
        row.shipments += 1
        row.kg += margin.kg
        row.revenue_usd += margin.revenue_usd
        row.cost_usd += margin.cost_usd
    ordered = sorted(rows.values(), key=lambda row: row.key) if by == "month" else list(rows.values())
    return MarginReport(ordered, not_priced)


def _shipment_key(shipment: Shipment):
    return shipment.pk, shipment.code, {"sales_contract": shipment.sales_contract.code}


def _contract_key(shipment: Shipment):
    contract = shipment.sales_contract
    return contract.pk, contract.code, {"buyer": contract.buyer.name}


def _month_key(shipment: Shipment):
    day = shipment.etd or timezone.localdate(shipment.created_at)
    month = day.replace(day=1)
    return month, month.strftime("%Y-%m"), {}


def _by_supplier(priced: list[ShipmentMargin]) -> list[MarginRow]:
    rows: dict[int | None, MarginRow] = {}
    counted: dict[int | None, set] = defaultdict(set)

    def add(supplier, shipment_id, kg, revenue, cost):
        row = rows.setdefault(supplier, MarginRow(supplier, ""))
        counted[supplier].add(shipment_id)
        row.kg += kg
        row.revenue_usd += revenue
        row.cost_usd += cost

    for margin in priced:
        price = margin.shipment.sales_contract.sale_price_usd_per_tm
        if not margin.kg:
            if margin.direct_cost_usd:
                add(None, margin.shipment.pk, ZERO, ZERO, margin.direct_cost_usd)
            continue
        direct_per_kg = margin.direct_cost_usd / margin.kg
        for load in margin.loads:
            lot = margin.unit_costs[load.lot_id]
            revenue = load.kg / KG_PER_TM * price
            cost = load.kg * ((lot.unit_usd_per_kg or ZERO) + direct_per_kg)
            for supplier, share in lot.supplier_shares().items():
                add(supplier, margin.shipment.pk, load.kg * share, revenue * share, cost * share)
    names = dict(Partner.all_objects.filter(pk__in=[key for key in rows if key]).values_list("pk", "name"))
    for supplier, row in rows.items():
        row.label = names.get(supplier, "") if supplier else str(_("No known supplier"))
        row.shipments = len(counted[supplier])
    return sorted(rows.values(), key=lambda row: (row.key is None, row.label))
