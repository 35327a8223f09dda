"""Moving the minute counters from Redis into the public schema (every minute, by beat).

``metering_flush`` takes each finished minute (older than FLUSH_AFTER_MINUTES, so no request
can still be writing to it), adds its counters to EndpointUsageDaily and CompanyUsageDaily and
records the minute in FlushedMinute, all in one transaction; only then is the Redis hash
deleted. A flush that runs twice, concurrently, or dies between the commit and the delete adds
nothing twice: the minute's FlushedMinute row is taken first (a second flush waits on it, then
finds it and only deletes the hash).
"""

import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import redis
from django.db import connection, transaction
from django.utils import timezone

from master.companies.models import Company

from .models import HISTOGRAM_SIZE, FlushedMinute, empty_histogram
from .recorder import SEPARATOR, minute_key, minutes_key, redis_available, redis_failed

logger = logging.getLogger(__name__)

FLUSH_AFTER_MINUTES = 2
FLUSHED_MINUTES_KEPT = timedelta(days=8)  # longer than a Redis minute hash lives


def metering_flush(now: float | None = None) -> int:
    """Flushes every finished minute; returns how many minutes were added."""
    client = redis_available()
    if client is None:
        return 0
    now = now if now is not None else timezone.now().timestamp()
    last_finished = int(now // 60) - FLUSH_AFTER_MINUTES
    try:
        minutes = [int(m) for m in client.zrangebyscore(minutes_key(), "-inf", last_finished)]
        added = sum(_minute_flush(client, minute) for minute in minutes)
    except redis.RedisError as error:
        redis_failed(error)
        return 0
    FlushedMinute.objects.filter(flushed_at__lt=timezone.now() - FLUSHED_MINUTES_KEPT).delete()
    return added


def _minute_flush(client, minute: int) -> int:
    counters = client.hgetall(minute_key(minute))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO metering_flushedminute (minute, flushed_at) VALUES (%s, now()) "
                "ON CONFLICT (minute) DO NOTHING",
                [minute],
            )
            fresh = cursor.rowcount == 1
        if fresh and counters:
            _add(_parse(counters), _day_of(minute))
    client.delete(minute_key(minute))
    client.zrem(minutes_key(), str(minute))
    return int(fresh)


def _day_of(minute: int):
    moment = datetime.fromtimestamp(minute * 60, tz=UTC)
    return timezone.localtime(moment).date()


def _parse(counters: dict) -> dict:
    """{(company, method, route, status_class): {"n", "b", "l", "h": [...]}}"""
    rows = defaultdict(lambda: {"n": 0, "b": 0, "l": 0, "h": empty_histogram()})
    for raw_field, raw_value in counters.items():
        company, method, route, status_class, figure = raw_field.decode().split(SEPARATOR)
        row = rows[(int(company), method, route, int(status_class))]
        value = int(raw_value)
        if figure.startswith("h"):
            row["h"][min(int(figure[1:]), HISTOGRAM_SIZE - 1)] += value
        else:
            row[figure] += value
    return rows


def _add(rows: dict, day) -> None:
    known = set(Company.objects.filter(pk__in={key[0] for key in rows}).values_list("pk", flat=True))
    endpoint_rows, company_rows = [], defaultdict(lambda: [0, 0, 0, empty_histogram(), 0, 0])
    for (company, method, route, status_class), figures in rows.items():
        if company not in known:  # deleted since: its counters go with it
            continue
        endpoint_rows.append(
            (
                company,
                day,
                method,
                route,
                status_class,
                figures["n"],
                figures["b"],
                figures["l"],
                figures["h"],
            )
        )
        total = company_rows[company]
        total[0] += figures["n"]
        total[1] += figures["b"]
        total[2] += figures["l"]
        total[3] = [a + b for a, b in zip(total[3], figures["h"], strict=True)]
        total[4] += figures["n"] if status_class == 4 else 0
        total[5] += figures["n"] if status_class == 5 else 0
    with connection.cursor() as cursor:
        if endpoint_rows:
            cursor.executemany(ENDPOINT_UPSERT, endpoint_rows)
        if company_rows:
            cursor.executemany(
                COMPANY_UPSERT, [(company, day, *figures) for company, figures in company_rows.items()]
            )


_ADD_FIGURES = """
    requests = t.requests + EXCLUDED.requests,
    bytes_out = t.bytes_out + EXCLUDED.bytes_out,
    latency_ms_sum = t.latency_ms_sum + EXCLUDED.latency_ms_sum,
    latency_histogram = ARRAY(
        SELECT a + b FROM unnest(t.latency_histogram, EXCLUDED.latency_histogram) AS h(a, b)
    )"""
ENDPOINT_UPSERT = (
    "INSERT INTO metering_endpointusagedaily AS t "
    "(company_id, day, method, route, status_class, requests, bytes_out, latency_ms_sum, latency_histogram) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (company_id, day, method, route, status_class) DO UPDATE SET" + _ADD_FIGURES
)
COMPANY_UPSERT = (
    "INSERT INTO metering_companyusagedaily AS t "
    "(company_id, day, requests, bytes_out, latency_ms_sum, latency_histogram, client_errors, server_errors) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (company_id, day) DO UPDATE SET" + _ADD_FIGURES + ","
    " client_errors = t.client_errors + EXCLUDED.client_errors,"
    " server_errors = t.server_errors + EXCLUDED.server_errors"
)
