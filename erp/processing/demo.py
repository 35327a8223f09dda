"""Demo processing for `bootstrap_demo`: a lot of cacao en baba at the demo collection center,
fermented six days in a box (turned every other day) and dried in the sun to 7 % with
readings, so the lot page shows its measured conversion factor and moisture chart."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from erp.lots.services import lot_create

from . import services

# (hours after the start of drying, moisture %): sun drying over about five days.
READINGS = [(2, "52.0"), (26, "38.5"), (50, "24.0"), (74, "14.2"), (98, "9.1"), (118, "7.0")]


def demo_processing_populate(*, admin, center) -> None:
    now = timezone.now()
    lot = lot_create(
        user=admin,
        owner=center,
        weight_kg=Decimal("2300"),
        form="baba",
        status="received",
        variety="nacional",
    )
    start = now - timedelta(days=12)
    batch = services.fermentation_start(user=admin, lot=lot, box="Cajón 2", started_at=start)
    for day, temperature in ((2, "44.5"), (4, "47.0")):
        services.fermentation_turn_add(
            batch=batch, user=admin, at=start + timedelta(days=day), temperature_c=Decimal(temperature)
        )
    dried_from = start + timedelta(days=6)
    services.fermentation_finish(batch=batch, user=admin, weight_out_kg=Decimal("1955"), ended_at=dried_from)
    lot.refresh_from_db()
    run = services.drying_start(user=admin, lot=lot, method="sun", started_at=dried_from)
    for hours, moisture in READINGS:
        services.drying_reading_add(
            run=run, user=admin, at=dried_from + timedelta(hours=hours), moisture_percent=Decimal(moisture)
        )
    # 2300 kg en baba → 874 kg seco: a measured factor of 38 %.
    services.drying_finish(
        run=run, user=admin, weight_out_kg=Decimal("874"), ended_at=dried_from + timedelta(hours=120)
    )
