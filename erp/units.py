"""Units and prices of the cacao trade (DOMAIN.md, "Units and prices"), in Decimal."""

from decimal import ROUND_HALF_UP, Decimal

KG_PER_QUINTAL = Decimal("45.359237")  # 1 qq = 100 lb
KG_PER_TM = Decimal("1000")
QUINTALS_PER_TM = Decimal("22.0462")  # the trade's divisor: USD/TM -> USD/qq
CENT = Decimal("0.01")


def kg_to_qq(kg: Decimal) -> Decimal:
    return (Decimal(kg) / KG_PER_QUINTAL).quantize(CENT, ROUND_HALF_UP)


def qq_to_kg(qq: Decimal) -> Decimal:
    return (Decimal(qq) * KG_PER_QUINTAL).quantize(CENT, ROUND_HALF_UP)


def kg_to_tm(kg: Decimal) -> Decimal:
    return (Decimal(kg) / KG_PER_TM).quantize(Decimal("0.001"), ROUND_HALF_UP)


def tm_to_kg(tm: Decimal) -> Decimal:
    return Decimal(tm) * KG_PER_TM


def price_per_quintal(spot_usd_per_tm: Decimal, differential_usd_per_tm: Decimal) -> Decimal:
    """(spot - differential) / 22.0462, rounded half-up to cents; a negative differential
    is a premium."""
    return ((Decimal(spot_usd_per_tm) - Decimal(differential_usd_per_tm)) / QUINTALS_PER_TM).quantize(
        CENT, ROUND_HALF_UP
    )


def amount_at_tm_price(kg: Decimal, price_usd_per_tm: Decimal) -> Decimal:
    """USD for ``kg`` sold at a price per TM, rounded half-up to cents (one invoice line)."""
    return (Decimal(kg) / KG_PER_TM * Decimal(price_usd_per_tm)).quantize(CENT, ROUND_HALF_UP)
