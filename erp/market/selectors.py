"""Reads of the market data: the demand a user may see, the latest FOB price."""

from django.db.models import QuerySet
from django.utils import timezone

from erp.access import is_company_side

from .models import Demand, FobPrice


def demand_list(*, user, include_deleted: bool = False) -> QuerySet[Demand]:
    """All demand for the company's side; centers and suppliers see what is open today."""
    manager = Demand.all_objects if include_deleted else Demand.objects
    if is_company_side(user):
        return manager.all()
    return manager.open_on(timezone.localdate())


def fob_price_latest(*, source: str | None = None) -> FobPrice | None:
    """The price of the most recent month (of one source, if given)."""
    prices = FobPrice.objects.order_by("-year", "-month", "source")
    if source:
        prices = prices.filter(source=source)
    return prices.first()
