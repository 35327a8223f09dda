"""The EUDR rule other apps apply when lots come together (a blend, a container, a
shipment): lots from verified plots are never mixed with lots that are not."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .selectors import LotEudrStatus, lot_eudr_statuses


def eudr_mixing_refuse(*, lots, field: str = "lots") -> None:
    """Raises a field-level ValidationError naming the lots on each side when some of
    ``lots`` come from verified plots and others do not."""
    lots = list(lots)
    statuses = lot_eudr_statuses(lot_ids=[lot.pk for lot in lots])
    verified = [lot.code for lot in lots if statuses[lot.pk] == LotEudrStatus.VERIFIED]
    others = [lot.code for lot in lots if statuses[lot.pk] != LotEudrStatus.VERIFIED]
    if verified and others:
        raise ValidationError(
            {
                field: _(
                    "Lots from EUDR-verified plots (%(verified)s) cannot be mixed with lots that are not "
                    "(%(others)s): keep them apart or verify the plots first."
                )
                % {"verified": ", ".join(sorted(verified)), "others": ", ".join(sorted(others))}
            }
        )
