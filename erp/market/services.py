"""Writes on the exporter's demand and on FOB reference prices."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Demand, FobPrice

DEMAND_FIELDS = ("month", "tm_wanted", "variety", "contract_type", "valid_from", "valid_to", "notes")
FOB_PRICE_FIELDS = ("year", "month", "usd_per_tm", "source")


def _refuse_unknown(changes: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})


def demand_create(*, user, **fields) -> Demand:
    demand = Demand(**{k: v for k, v in fields.items() if k in DEMAND_FIELDS}, created_by=user)
    demand.full_clean()
    demand.save()
    return demand


def demand_update(*, demand: Demand, **changes) -> Demand:
    _refuse_unknown(changes, DEMAND_FIELDS)
    for field, value in changes.items():
        setattr(demand, field, value)
    demand.full_clean()
    demand.save(update_fields=[*changes, "updated_at"])
    return demand


def demand_delete(*, demand: Demand) -> None:
    demand.soft_delete()


def demand_restore(*, demand: Demand) -> Demand:
    demand.restore()
    return demand


def fob_price_create(**fields) -> FobPrice:
    price = FobPrice(**{k: v for k, v in fields.items() if k in FOB_PRICE_FIELDS})
    price.full_clean()
    price.save()
    return price


def fob_price_update(*, fob_price: FobPrice, **changes) -> FobPrice:
    _refuse_unknown(changes, FOB_PRICE_FIELDS)
    for field, value in changes.items():
        setattr(fob_price, field, value)
    fob_price.full_clean()
    fob_price.save(update_fields=[*changes, "updated_at"])
    return fob_price


def fob_price_delete(*, fob_price: FobPrice) -> None:
    """Reference data: a wrong price is removed outright (the importer can bring it back)."""
    fob_price.delete()
