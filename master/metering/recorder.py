"""The hot path of metering: one Redis pipeline per company API request, never a database write.

Counters go into one Redis hash per minute (``<prefix>:metering:m:<minute>``), a field per
company, method, route pattern, status class and figure, incremented with HINCRBY (atomic, so
concurrent requests are counted exactly). The minute is registered in a sorted set that the
flush (services.metering_flush) walks once the minute is over.

Redis trouble never fails a request: the error is logged and Redis is left alone for
REDIS_RETRY_SECONDS (so an outage costs one connection timeout every few seconds, not one per
request); what is lost is at most the unflushed minutes.
"""

import bisect
import logging
import re
import time

import redis
from django.conf import settings

from triboka.redis_client import redis_client

from .models import LATENCY_BOUNDS_MS

logger = logging.getLogger(__name__)

REDIS_RETRY_SECONDS = 5
BUCKET_TTL_SECONDS = 7 * 24 * 3600  # a minute nobody flushed for a week is dropped
SEPARATOR = "\x1f"
FIGURES = ("n", "b", "l")  # requests, bytes out, latency ms (+ "h<i>": histogram bucket i)
_state = {"down_until": 0.0}

_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
_FORMAT_SUFFIX = re.compile(r"\\\.\{format\}/\?$|\{format\}$")


def key_prefix() -> str:
    return f"{settings.CACHE_KEY_PREFIX}:metering"


def minute_key(minute: int) -> str:
    return f"{key_prefix()}:m:{minute}"


def minutes_key() -> str:
    return f"{key_prefix()}:minutes"


def route_pattern(resolver_match) -> str:
    """``api/v1/contracts/(?P<pk>[^/.]+)/$`` -> ``/api/v1/contracts/{pk}/``: the endpoint, not
    the path (ids would make every lot its own endpoint)."""
    if resolver_match is None or not resolver_match.route:
        return "(unmatched)"
    route = resolver_match.route.replace("^", "").replace("$", "")
    route = _CONVERTER.sub(r"{\1}", _NAMED_GROUP.sub(r"{\1}", route))
    route = _FORMAT_SUFFIX.sub("", route)
    return "/" + route[:198]


def latency_bucket(latency_ms: int) -> int:
    return bisect.bisect_left(LATENCY_BOUNDS_MS, latency_ms)


def redis_available() -> redis.Redis | None:
    """The client, unless Redis failed in the last few seconds (or is not configured)."""
    if time.monotonic() < _state["down_until"]:
        return None
    return redis_client()


def redis_failed(error: Exception) -> None:
    _state["down_until"] = time.monotonic() + REDIS_RETRY_SECONDS
    logger.warning("Metering skipped, Redis unavailable: %s", error.__class__.__name__)


def request_record(
    *, company_id: int, method: str, route: str, status: int, bytes_out: int, latency_ms: int, now: float
) -> bool:
    """Counts one answered request; False when it could not be counted (Redis down)."""
    client = redis_available()
    if client is None:
        return False
    minute = int(now // 60)
    key = minute_key(minute)
    field = SEPARATOR.join((str(company_id), method, route, str(status // 100)))
    try:
        pipe = client.pipeline(transaction=False)
        pipe.hincrby(key, f"{field}{SEPARATOR}n", 1)
        if bytes_out:
            pipe.hincrby(key, f"{field}{SEPARATOR}b", bytes_out)
        pipe.hincrby(key, f"{field}{SEPARATOR}l", latency_ms)
        pipe.hincrby(key, f"{field}{SEPARATOR}h{latency_bucket(latency_ms)}", 1)
        pipe.expire(key, BUCKET_TTL_SECONDS)
        pipe.zadd(minutes_key(), {str(minute): minute})
        pipe.execute()
    except redis.RedisError as error:
        redis_failed(error)
        return False
    return True
