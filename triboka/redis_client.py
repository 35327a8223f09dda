"""One raw Redis client per process, for what Django's cache API cannot do (counters shared
by all workers, deleting a schema's keys by pattern). None when REDIS_URL is not set."""

from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=1)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)


def redis_client() -> redis.Redis | None:
    return _client(settings.REDIS_URL) if settings.REDIS_URL else None
