"""Demo sale and shipment for `bootstrap_demo`: 25 TM of CCN-51 sold FOB Guayaquil to the demo
buyer in Hamburg at a fixed price, and a booked shipment whose container holds 2,000 kg of
the demo CCN-51 reception's lot (from a verified plot, so its due diligence pack is ready)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from erp.inventory.services import warehouse_default_for

from . import services


def demo_export_populate(*, admin, partners: dict, receptions: list):
    """``partners`` as erp/demo.py builds them; ``receptions`` the reception demo's. Returns
    the shipment (None when the demo has no dry CCN-51 reception)."""
    ccn51 = next((r for r in receptions if r.variety == "ccn51" and r.form == "seco"), None)
    if ccn51 is None:
        return None
    today = timezone.localdate()
    sale = services.sales_contract_create(
        user=admin, buyer=partners["buyer"][0], exporter=partners["exporter"][0], buyer_reference="PO-88231",
        incoterm="FOB", variety="ccn51", quantity_tm=Decimal("25"), price_type="fixed",
        price_usd_per_tm=Decimal("5850.00"), shipment_from=today, shipment_to=today + timedelta(days=60),
        destination_port="Hamburg", destination_country="DE", quality_terms="Fermentado ≥ 70 %",
    )  # fmt: skip
    services.sales_contract_set_status(sales_contract=sale, status="open", user=admin)
    shipment = services.shipment_create(
        user=admin, sales_contract=sale, booking_number="BK-552211", shipping_line="Maersk",
        port_of_loading="ECGYE", port_of_discharge="Hamburg", vessel="Maersk Guayaquil", voyage="650N",
        etd=today + timedelta(days=10), eta=today + timedelta(days=35),
    )  # fmt: skip
    container = services.container_add(
        shipment=shipment, number="CSQU3054383", seal_number="EC-0001", user=admin
    )
    services.container_load(
        container=container, lot=ccn51.lot, kg=Decimal("2000.00"), sacks=29,
        warehouse=warehouse_default_for(ccn51.center), user=admin,
    )  # fmt: skip
    return shipment
