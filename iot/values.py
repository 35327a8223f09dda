"""Values as devices send them: numbers with a decimal comma or point, times in the
formats of scale terminals and data loggers. Each parser raises ValueError with a message
for the user (already translated)."""

from datetime import datetime, time
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

DATE_FORMATS = ("%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%Y/%m/%d", "%d.%m.%y", "%d/%m/%y")
TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%H:%M:%S.%f", "%I:%M:%S %p")


def decimal_from(value) -> Decimal | None:
    """``"1.234,5"``, ``"1234,5"``, ``"1234.5"``, ``1234.5`` -> Decimal("1234.5"); empty -> None.

    With both a comma and a point, the last one is the decimal separator and the other
    groups thousands; with only one of them, it is the decimal separator."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(_("Not a number: %(value)s.") % {"value": value})
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if "," in text and "." in text:
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("Not a number: %(value)s.") % {"value": str(value)[:40]}) from None
    if not number.is_finite():
        raise ValueError(_("Not a number: %(value)s.") % {"value": str(value)[:40]})
    return number


def aware(moment: datetime) -> datetime:
    """A naive device time is the company's local time (TIME_ZONE)."""
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def datetime_from(value) -> datetime:
    """An ISO 8601 time (``2026-11-30T08:15:00-05:00``), a Unix time in seconds, or a
    datetime; naive times are local."""
    if isinstance(value, datetime):
        return aware(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=timezone.get_current_timezone())
    text = str(value or "").strip()
    parsed = parse_datetime(text) if text else None
    if parsed is None:
        parsed = _day_and_time(*text.split(" ", 1)) if " " in text else None
    if parsed is None:
        raise ValueError(_("Not a date and time: %(value)s.") % {"value": text[:40] or "—"})
    return aware(parsed)


def _day_and_time(day: str, moment: str) -> datetime | None:
    try:
        return datetime.combine(date_from(day), time_from(moment))
    except ValueError:
        return None


def date_from(text: str):
    text = text.strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("Not a date: %(value)s.") % {"value": text[:40] or "—"})


def time_from(text: str) -> time:
    text = text.strip()
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    raise ValueError(_("Not a time: %(value)s.") % {"value": text[:40] or "—"})
