"""Demo devices for `bootstrap_demo`: a weighbridge with a moisture meter at the demo
collection center, and a week of drying readings on one of its lots."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from erp.lots.models import Lot, LotStatus

from .models import Transport
from .services import device_register, readings_ingest

# (days ago, net kg as a share of the first weighing, moisture %): a lot drying in the sun.
DRYING = [
    (6, "1.000", "12.4"),
    (5, "0.985", "11.1"),
    (4, "0.968", "9.8"),
    (3, "0.955", "8.9"),
    (2, "0.946", "8.1"),
    (1, "0.941", "7.4"),
]


def demo_iot_populate(*, admin, center) -> None:
    scale, _key = device_register(
        user=admin,
        name="Báscula camionera",
        kind="combined",
        serial_number="SIWAREX-WP231-0001",
        location=center,
        transport=Transport.REST,
        capacity_kg=Decimal("60000"),
        calibrated_on=timezone.localdate() - timedelta(days=90),
    )
    device_register(
        user=admin,
        name="Medidor de humedad",
        kind="moisture_meter",
        serial_number="DICKEY-GAC2500-0001",
        location=center,
        transport=Transport.SERIAL,
    )
    lot = Lot.objects.filter(owner=center, status=LotStatus.DRYING).order_by("pk").first()
    if lot is None:
        return
    first, now = lot.weight_kg, timezone.now()
    items = [
        {
            "id": f"demo-{days}",
            "lot": lot.code,
            "net_kg": (first * Decimal(share)).quantize(Decimal("0.01")),
            "moisture_percent": moisture,
            "measured_at": now - timedelta(days=days),
        }
        for days, share, moisture in DRYING
    ]
    readings_ingest(device=scale, items=items, origin=Transport.REST)
