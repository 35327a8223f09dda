"""Demo receptions for `bootstrap_demo`: a few deliveries of the demo suppliers at the demo
collection center: dry and wet cacao, some wetter than the standard, one with impurities,
two added to the same open lot."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from .models import PriceMode
from .services import reception_create

# (days ago, supplier index, form, variety, gross kg, tare kg, sacks, moisture %, impurities %, USD/qq)
DELIVERIES = [
    (5, 0, "seco", "nacional", "1380.00", "30.00", 30, "7.00", "0.50", "130.00"),
    (4, 1, "seco", "nacional", "912.50", "20.00", 20, "8.50", "1.00", "130.00"),
    (3, 0, "seco", "ccn51", "2300.00", "50.00", 50, "7.80", "0.00", "118.00"),
    (1, 1, "baba", "nacional", "1500.00", "40.00", 40, "55.00", "2.00", "42.00"),
]


def demo_reception_populate(*, admin, center, suppliers) -> list:
    """Receptions by ``admin`` at ``center`` from ``suppliers`` (a list of supplier partners);
    the second dry Nacional delivery is added to the first one's lot."""
    now, made, open_lot = timezone.now(), [], None
    for days, who, form, variety, gross, tare, sacks, moisture, impurities, price in DELIVERIES:
        reception = reception_create(
            user=admin,
            center=center,
            supplier=suppliers[who % len(suppliers)],
            received_at=now - timedelta(days=days, hours=2),
            form=form,
            variety=variety,
            gross_weight_kg=Decimal(gross),
            tare_weight_kg=Decimal(tare),
            sacks=sacks,
            moisture_percent=Decimal(moisture),
            impurities_percent=Decimal(impurities),
            price_mode=PriceMode.FIXED,
            price_usd_per_qq=Decimal(price),
            lot=open_lot if (form, variety) == ("seco", "nacional") else None,
        )
        if (form, variety) == ("seco", "nacional"):
            open_lot = reception.lot
        made.append(reception)
    return made
