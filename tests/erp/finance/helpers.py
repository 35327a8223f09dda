"""Shared set-up of the finance tests: receptions of round amounts, the blend of the costing
example, loaded shipments. Run inside the company's tenant context.

The costing example (erp/finance/costing.py): supplier's reception 1,000 kg for 2,600 USD,
supplier2's 500 kg for 1,400 USD, blended (1,500 kg, 4,000 USD), 150 USD of transport on the
blend (4,150 USD), a part of 600 kg split off: 600 × 4,150 / 1,500 = 1,660 USD.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from erp.export import services as export
from erp.finance.services import cost_create
from erp.inventory.blending import lot_merge, lot_split
from erp.inventory.services import warehouse_default_for
from erp.reception.models import Reception
from tests.erp.export.helpers import sale
from tests.erp.reception.helpers import make

D = Decimal
BASE = "/api/v1/finance"


def receive(world, *, kg: str, amount: str, supplier: str = "supplier", days_ago: int = 0) -> Reception:
    """A reception of ``kg`` net of dry Nacional at the standard moisture (nothing discounted),
    its amount set to a round figure (the price formula is the reception module's test)."""
    received_at = timezone.now() - timedelta(days=days_ago) if days_ago else None
    reception = make(
        world,
        supplier=supplier,
        gross_weight_kg=kg,
        tare_weight_kg="0",
        moisture_percent="7.00",
        impurities_percent="0",
        received_at=received_at,
    )
    Reception.objects.filter(pk=reception.pk).update(amount_usd=D(amount))
    reception.refresh_from_db()
    return reception


def cost(world, *, amount: str, kind: str = "transport", **target):
    return cost_create(
        user=world.users["admin"], kind=kind, amount_usd=D(amount), incurred_on=timezone.localdate(), **target
    )


def blend(world):
    """The two receptions of the example blended: (blend, first reception, second reception)."""
    first = receive(world, kg="1000", amount="2600")
    second = receive(world, kg="500", amount="1400", supplier="supplier2")
    merged = lot_merge(lots=[first.lot, second.lot], user=world.users["admin"])
    return merged, first, second


def split_example(world):
    """The blend with its transport cost, and the 600 kg part split off it: (blend, part)."""
    merged, _first, _second = blend(world)
    cost(world, amount="150", lot=merged)
    (part,) = lot_split(lot=merged, user=world.users["admin"], parts=[D("600")])
    merged.refresh_from_db()
    return merged, part


def shipment_with(world, loads, *, sales_contract=None, number="CSQU3054383"):
    """A shipment of ``sales_contract`` (fixed at 6,250 USD/TM by default) with one container
    holding ``loads``: [(lot, kg), ...] from the center's warehouse."""
    user = world.users["admin"]
    sent = export.shipment_create(
        user=user, sales_contract=sales_contract or sale(world), etd=date(2026, 3, 5)
    )
    container = export.container_add(shipment=sent, number=number, user=user)
    warehouse = warehouse_default_for(world.partners["center"])
    for lot, kg in loads:
        export.container_load(container=container, lot=lot, kg=D(kg), warehouse=warehouse, user=user)
    return sent


def unpriced_sale(world):
    return sale(world, price_type="differential", differential_usd_per_tm=D("150"))
