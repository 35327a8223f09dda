"""Numbers as the trade reads them, in the user's locale: weights in qq and kg, money in USD."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

from erp.units import kg_to_qq, kg_to_tm

register = template.Library()


def _number(value, decimal_pos: int) -> str:
    """Rounded half-up to ``decimal_pos`` first: Django's number_format cuts the digits off
    (5.336 TM would read 5.33)."""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-decimal_pos), ROUND_HALF_UP)
    return number_format(rounded, decimal_pos, use_l10n=True, force_grouping=True)


@register.filter
def qq(kg) -> str:
    """Kilograms shown in quintales: ``1 234,50 qq``."""
    return "" if kg in (None, "") else f"{_number(kg_to_qq(kg), 2)} qq"


@register.filter
def kg(value) -> str:
    return "" if value in (None, "") else f"{_number(value, 2)} kg"


@register.filter
def tm(value) -> str:
    return "" if value in (None, "") else f"{_number(value, 2)} TM"  # 10 kg steps: enough on a page


@register.filter
def kg_as_tm(kg_value) -> str:
    return "" if kg_value in (None, "") else tm(kg_to_tm(kg_value))


@register.filter
def usd(value) -> str:
    return "" if value in (None, "") else f"USD {_number(value, 2)}"


@register.filter
def percent(value) -> str:
    return "" if value in (None, "") else f"{_number(value, 2)} %"


@register.filter
def plain_number(value, decimal_pos: int = 2) -> str:
    return "" if value in (None, "") else _number(value, int(decimal_pos))
