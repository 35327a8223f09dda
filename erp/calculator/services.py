"""The USD/TM -> USD/quintal calculator: every run is kept in the user's history."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from erp.units import CENT, QUINTALS_PER_TM, price_per_quintal

from .models import Calculation

# How many differentials one calculation may price (the form shows a handful).
MAX_DIFFERENTIALS = 20


def calculation_run(*, user, spot: Decimal, differentials: list[Decimal]) -> Calculation:
    """Price a quintal for each differential under ``spot`` (USD/TM) and save the run.

    A negative differential is a premium. A differential at or above the spot would give
    a price of zero or less, which no one pays, so it is refused.
    """
    spot = Decimal(spot)
    differentials = [Decimal(d) for d in differentials]
    _validate(spot, differentials)
    calculation = Calculation(
        user=user,
        spot_usd_per_tm=spot,
        divisor=QUINTALS_PER_TM,
        results=[
            {"differential": str(d.quantize(CENT)), "price_per_quintal": str(price_per_quintal(spot, d))}
            for d in differentials
        ],
    )
    calculation.full_clean()
    calculation.save()
    return calculation


def _validate(spot: Decimal, differentials: list[Decimal]) -> None:
    if spot <= 0:
        raise ValidationError({"spot": _("The spot price must be greater than zero.")})
    if not differentials:
        raise ValidationError({"differentials": _("Give at least one differential.")})
    if len(differentials) > MAX_DIFFERENTIALS:
        raise ValidationError(
            {"differentials": _("Give at most %(max)d differentials.") % {"max": MAX_DIFFERENTIALS}}
        )
    # A price that rounds to zero cents is no price either (spot 1, differential 0.99).
    too_high = [str(d) for d in differentials if price_per_quintal(spot, d) <= 0]
    if too_high:
        raise ValidationError(
            {
                "differentials": _("A differential must be below the spot price (%(spot)s): %(values)s.")
                % {"spot": spot, "values": ", ".join(too_high)}
            }
        )
