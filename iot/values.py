"""Values as devices send them: numbers with a decimal comma or point, times in the
formats of scale terminals and data loggers. Each parser raises ValueError with a message
for the user (already translated)."""

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

DATE_FORMATS = ("%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%Y/%m/%d", "%d.%m.%y", "%d/%m/%y")
TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%H:%M:%S.%f", "%I:%M:%S %p")
# A number with at most a decimal comma or point, the common case, read without the rules below.
PLAIN_NUMBER = re.compile(r"\s*-?\d+(?:[.,]\d+)?\s*")
# The common 24-hour clock, read without strptime (files have a million of them).
CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?")


def decimal_from(value) -> Decimal | None:
    """``"1.234,5"``, ``"1234,5"``, ``"1234.5"``, ``1234.5`` -> Decimal("1234.5"); empty -> None.

    With both a comma and a point, the last one is the decimal separator and the other
    groups thousands; with only one of them, it is the decimal separator."""
    if value is None:
        return None
    if value.__class__ is str and PLAIN_NUMBER.fullmatch(value):
        return Decimal(value.replace(",", "."))
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
        return value if value.tzinfo is not None and value.utcoffset() is not None else aware(value)
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


def date_from(text: str) -> date:
    text = text.strip()
    day = _known_date(text)
    if day is None:
        raise ValueError(_("Not a date: %(value)s.") % {"value": text[:40] or "—"})
    return day


@lru_cache(maxsize=4096)
def _known_date(text: str) -> date | None:
    """Memoised: the rows of a file share a few dates, and strptime is slow."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def time_from(text: str) -> time:
    text = text.strip()
    match = CLOCK.fullmatch(text)
    if match is not None:
        hour, minute, second, fraction = match.groups()
        try:
            return time(int(hour), int(minute), int(second or 0), int((fraction or "0").ljust(6, "0")))
        except ValueError:
            pass  # 25:00 and the like: refused below with the usual message
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    raise ValueError(_("Not a time: %(value)s.") % {"value": text[:40] or "—"})


def local_datetime(day: str, moment: str, zone=None) -> datetime:
    """A date and a time of day as two texts (``30.11.2026``, ``08:15:00``): local time of
    ``zone`` (default: the company's, TIME_ZONE)."""
    return datetime.combine(date_from(day), time_from(moment), tzinfo=zone or timezone.get_current_timezone())
