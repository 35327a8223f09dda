"""The paid weight of a reception: the one place its formula lives.

The net weight is what the scale says; the supplier is paid for the dry, clean cacao in it.

1. Moisture (dry-matter equivalence): when the beans are wetter than the company's standard
   (7 % by default, INEN 176), the net weight is reduced to the weight it would have at the
   standard, keeping the dry matter: ``net × (100 − moisture) / (100 − standard)``.
   Drier cacao than the standard earns no bonus: the factor is never above 1.
2. Impurities (husks, stones, dirt): ``× (100 − impurities) / 100``.
3. The paid weight is rounded half-up to 0.01 kg and never exceeds the net weight.

The amount is the paid weight in quintales (kg / 45.359237, unrounded) times the price in
USD per quintal, rounded half-up to cents.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from erp.units import CENT, KG_PER_QUINTAL

HUNDRED = Decimal("100")


@dataclass(frozen=True)
class PaidWeight:
    net_kg: Decimal
    moisture_discount_kg: Decimal  # kg taken off for moisture above the standard
    impurities_discount_kg: Decimal  # kg taken off for impurities
    paid_kg: Decimal


def paid_weight_breakdown(
    *,
    net_kg: Decimal,
    moisture_percent: Decimal,
    impurities_percent: Decimal,
    standard_moisture_percent: Decimal,
) -> PaidWeight:
    """The paid weight and each discount, in kg (see the module's docstring)."""
    net_kg, moisture, impurities, standard = (
        Decimal(net_kg),
        Decimal(moisture_percent),
        Decimal(impurities_percent),
        Decimal(standard_moisture_percent),
    )
    if moisture > standard:
        dry_equivalent = net_kg * (HUNDRED - moisture) / (HUNDRED - standard)
    else:
        dry_equivalent = net_kg  # no bonus for drier cacao
    clean = dry_equivalent * (HUNDRED - impurities) / HUNDRED
    paid = min(clean.quantize(CENT, ROUND_HALF_UP), net_kg)
    moisture_discount = (net_kg - dry_equivalent).quantize(CENT, ROUND_HALF_UP)
    return PaidWeight(
        net_kg=net_kg,
        moisture_discount_kg=moisture_discount,
        impurities_discount_kg=net_kg - moisture_discount - paid,
        paid_kg=paid,
    )


def paid_weight_kg(
    *,
    net_kg: Decimal,
    moisture_percent: Decimal,
    impurities_percent: Decimal,
    standard_moisture_percent: Decimal,
) -> Decimal:
    return paid_weight_breakdown(
        net_kg=net_kg,
        moisture_percent=moisture_percent,
        impurities_percent=impurities_percent,
        standard_moisture_percent=standard_moisture_percent,
    ).paid_kg


def amount_usd(*, paid_kg: Decimal, price_usd_per_qq: Decimal) -> Decimal:
    """Paid weight in quintales × USD/qq, rounded half-up to cents."""
    return (Decimal(paid_kg) / KG_PER_QUINTAL * Decimal(price_usd_per_qq)).quantize(CENT, ROUND_HALF_UP)
