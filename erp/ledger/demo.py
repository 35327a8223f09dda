"""Demo data of the ledger for `bootstrap_demo`: verification codes for the company's
dispatched and stored lots (the chain itself fills as the other demos record lot events)."""

from erp.lots.models import Lot, LotStatus

from .services import verification_code_issue

DEMO_CODES = 3


def demo_ledger_populate(*, admin, partners=None) -> list[str]:
    """Issues a verification code for up to three dispatched or stored lots; returns the codes.
    Call it after the other demos, so their events are on the lots' chains already."""
    lots = Lot.objects.filter(status__in=[LotStatus.DISPATCHED, LotStatus.STORED]).order_by("pk")[:DEMO_CODES]
    return [verification_code_issue(lot=lot, user=admin)[0].code for lot in lots]
