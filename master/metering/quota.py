"""The license's monthly API-call limit, kept in Redis beside the metering counters.

Each company with a limit has one counter per calendar month (America/Guayaquil):
``INCR`` admits the call, and a call past the limit is taken back (``DECR``) and refused, so
refused calls do not eat into the quota and concurrent calls never overshoot it. When the
counter is missing (first call of the month, or Redis lost its data) it is seeded from the
flushed consumption (CompanyUsageDaily): one query per company and month, never per request.
If Redis is down the call is admitted — the limit is a billing boundary, not a safety one,
and "a Redis outage never fails a request".
"""

import calendar
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import redis
from django.db.models import Sum
from django.utils import timezone

from .models import CompanyUsageDaily
from .recorder import key_prefix, redis_available, redis_failed

COUNTER_TTL_SECONDS = 40 * 24 * 3600


@dataclass(frozen=True)
class QuotaDecision:
    allowed: bool
    limit: int
    used: int
    retry_after: int  # seconds until the quota starts again (next month)

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


def month_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day.replace(day=1), time.min))


def next_month_start(day) -> datetime:
    days = calendar.monthrange(day.year, day.month)[1]
    return month_start(day.replace(day=1) + timedelta(days=days))


def counter_key(company_id: int, day) -> str:
    return f"{key_prefix()}:quota:{company_id}:{day:%Y%m}"


def calls_this_month_flushed(company_id: int, day) -> int:
    total = CompanyUsageDaily.objects.filter(
        company_id=company_id, day__gte=day.replace(day=1), day__lte=day
    ).aggregate(total=Sum("requests"))["total"]
    return total or 0


def api_call_admit(company_id: int, limit: int, now: datetime | None = None) -> QuotaDecision | None:
    """Admit one API call under a monthly limit; None when Redis cannot say (admitted)."""
    now = timezone.localtime(now)
    client = redis_available()
    if client is None:
        return None
    key = counter_key(company_id, now.date())
    retry_after = max(int((next_month_start(now.date()) - now).total_seconds()), 1)
    try:
        if not client.exists(key):
            client.set(key, calls_this_month_flushed(company_id, now.date()), ex=COUNTER_TTL_SECONDS, nx=True)
        used = client.incr(key)
        if used > limit:
            used = client.decr(key)
            return QuotaDecision(allowed=False, limit=limit, used=used, retry_after=retry_after)
    except redis.RedisError as error:
        redis_failed(error)
        return None
    return QuotaDecision(allowed=True, limit=limit, used=used, retry_after=retry_after)
