"""API metering: exact counts under concurrent requests, the per-minute flush (idempotent),
Redis outages, the monthly API-call limit (429) and the consumption report."""

import http.client
import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.urls import resolve
from django.utils import timezone

from master.licensing.services import license_update
from master.metering import recorder
from master.metering.models import CompanyUsageDaily, EndpointUsageDaily, FlushedMinute
from master.metering.quota import api_call_admit
from master.metering.recorder import minute_key, minutes_key, request_record, route_pattern
from master.metering.selectors import percentile_ms
from master.metering.services import metering_flush
from tests.conftest import COMPANY_A, PASSWORD, api_client, bearer, login_tokens
from triboka.redis_client import redis_client

LATER = 600  # seconds ahead: every minute recorded so far counts as finished


@pytest.fixture(autouse=True)
def _fresh_metering():
    """No counters of other tests, and Redis considered up."""

    def clear():
        recorder._state["down_until"] = 0.0
        client = redis_client()
        keys = list(client.scan_iter(match=f"{recorder.key_prefix()}:*", count=1000))
        if keys:
            client.delete(*keys)

    clear()
    yield
    clear()


def flush() -> int:
    return metering_flush(now=time.time() + LATER)


def usage(company, **filters) -> dict:
    rows = EndpointUsageDaily.objects.filter(company=company, **filters)
    return {(row.method, row.route, row.status_class): row.requests for row in rows}


def test_route_patterns_name_the_endpoint_not_the_path():
    def pattern(path):
        return route_pattern(resolve(path, urlconf="triboka.urls_tenant"))

    assert pattern("/api/v1/contracts/5/") == "/api/v1/contracts/{pk}/"
    assert pattern("/api/v1/contracts/") == "/api/v1/contracts/"
    assert pattern("/api/v1/chats/3/messages/") == "/api/v1/chats/{pk}/messages/"
    assert pattern("/api/v1/contracts/7/documents/") == "/api/v1/contracts/{contract_id}/documents/"
    assert route_pattern(None) == "(unmatched)"


def test_percentiles_from_a_histogram_computed_by_hand():
    # 100 requests: 90 under 10 ms, 4 under 25 ms, 6 under 50 ms -> p95 is 50 ms, p90 10 ms
    histogram = [90, 4, 6, 0, 0, 0, 0, 0, 0, 0]
    assert percentile_ms(histogram) == 50
    assert percentile_ms(histogram, 0.90) == 10
    assert percentile_ms([0] * 10) is None
    assert percentile_ms([0] * 9 + [3]) == 10_000  # slower than the last bound


def test_counts_are_exact_under_concurrent_requests(daphne_site, live_company, django_db_blocker):
    company, logins = live_company
    url = urlsplit(daphne_site)
    with django_db_blocker.unblock():
        flush()  # whatever other tests sent to the live site is out of the way
        before = dict(usage(company))
        requests_before = sum(
            CompanyUsageDaily.objects.filter(company=company).values_list("requests", flat=True)
        )

    def call(path, token=None):
        conn = http.client.HTTPConnection("127.0.0.1", url.port, timeout=30)
        headers = {"Host": url.netloc}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status

    conn = http.client.HTTPConnection("127.0.0.1", url.port, timeout=30)
    body = json.dumps({"email": logins["admin"], "password": "Cacao-e2e-2026!"})
    conn.request(
        "POST", "/api/v1/auth/login/", body, {"Host": url.netloc, "Content-Type": "application/json"}
    )
    token = json.loads(conn.getresponse().read())["access"]
    conn.close()

    jobs = [("/api/v1/me/", None)] * 60 + [("/api/v1/me/", token)] * 60 + [("/api/v1/lots/", token)] * 40
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda job: call(*job), jobs))
    assert statuses.count(401) == 60 and statuses.count(200) == 100

    with django_db_blocker.unblock():
        assert flush() >= 1
        after = usage(company)
        delta = {key: after[key] - before.get(key, 0) for key in after}
        assert delta[("GET", "/api/v1/me/", 4)] == 60
        assert delta[("GET", "/api/v1/me/", 2)] == 60
        assert delta[("GET", "/api/v1/lots/", 2)] == 40
        assert delta[("POST", "/api/v1/auth/login/", 2)] == 1
        day = CompanyUsageDaily.objects.get(company=company, day=timezone.localdate())
        assert day.requests - requests_before == 161
        assert sum(day.latency_histogram) == day.requests
        assert day.bytes_out > 0 and day.client_errors >= 60
    # pages are not API calls: nothing counted for them
    assert call("/accounts/login/") == 200
    with django_db_blocker.unblock():
        flush()
        assert sum(usage(company).values()) == sum(after.values())


def test_flush_is_idempotent_even_when_redis_was_not_cleared(db, company_a):
    now = time.time()
    for status in (200, 200, 404):
        request_record(
            company_id=company_a.pk,
            method="GET",
            route="/api/v1/lots/",
            status=status,
            bytes_out=100,
            latency_ms=30,
            now=now,
        )
    client = redis_client()
    minute = int(now // 60)
    saved = client.hgetall(minute_key(minute))
    assert metering_flush(now=now) == 0  # the minute is not over yet: nothing moves
    assert flush() == 1
    assert usage(company_a) == {("GET", "/api/v1/lots/", 2): 2, ("GET", "/api/v1/lots/", 4): 1}
    # as if the flush had died after its commit, before deleting the hash
    client.hset(minute_key(minute), mapping=saved)
    client.zadd(minutes_key(), {str(minute): minute})
    assert flush() == 0
    assert usage(company_a) == {("GET", "/api/v1/lots/", 2): 2, ("GET", "/api/v1/lots/", 4): 1}
    assert not client.exists(minute_key(minute))
    day = CompanyUsageDaily.objects.get(company=company_a)
    assert (day.requests, day.client_errors, day.bytes_out, day.latency_ms_sum) == (3, 1, 300, 90)
    assert day.latency_histogram[2] == 3  # 30 ms: the 25-50 ms bucket
    assert FlushedMinute.objects.filter(minute=minute).exists()


def test_a_second_minute_adds_to_the_same_day(db, company_a, company_b):
    now = time.time()
    for moment, company in ((now - 120, company_a), (now, company_a), (now, company_b)):
        request_record(
            company_id=company.pk,
            method="GET",
            route="/api/v1/me/",
            status=200,
            bytes_out=1,
            latency_ms=5,
            now=moment,
        )
    assert flush() in (1, 2)  # one or two minutes, as the clock falls
    assert CompanyUsageDaily.objects.get(company=company_a).requests == 2
    assert CompanyUsageDaily.objects.get(company=company_b).requests == 1


def test_redis_down_never_fails_a_request(db, settings, company_a):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    tokens = login_tokens(company_a.primary_domain, COMPANY_A.admin_email)
    response = bearer(company_a.primary_domain, tokens["access"]).get("/api/v1/me/")
    assert response.status_code == 200
    assert recorder._state["down_until"] > 0  # noticed once, then left alone for a while
    started = time.perf_counter()
    assert bearer(company_a.primary_domain, tokens["access"]).get("/api/v1/me/").status_code == 200
    assert time.perf_counter() - started < 0.2  # no second connection timeout
    assert metering_flush() == 0
    assert api_call_admit(company_a.pk, 1) is None  # the limit cannot be told: admitted


def _limit_calls(company, limit):
    license = company.licenses.get()
    license_update(license=license, max_api_calls_month=limit)


def test_over_the_monthly_limit_answers_429_with_retry_after(db, company_a, company_b):
    _limit_calls(company_a, 3)
    tokens = login_tokens(company_a.primary_domain, COMPANY_A.admin_email)  # the 1st call
    client = bearer(company_a.primary_domain, tokens["access"])
    first = client.get("/api/v1/me/")
    assert first.status_code == 200
    assert (first["X-RateLimit-Limit"], first["X-RateLimit-Remaining"]) == ("3", "1")
    assert client.get("/api/v1/me/").status_code == 200
    refused = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="es")
    assert refused.status_code == 429
    assert refused.json()["code"] == "api_call_limit_reached"
    assert "3" in refused.json()["detail"] and "llamadas" in refused.json()["detail"]
    assert refused["X-RateLimit-Limit"] == "3" and refused["X-RateLimit-Remaining"] == "0"
    next_month = (timezone.localdate().replace(day=28) + timedelta(days=4)).replace(day=1)
    assert 0 < int(refused["Retry-After"]) <= (next_month - timezone.localdate()).days * 86400 + 1
    # a refused call does not use the quota: raising the limit by one admits exactly one more
    _limit_calls(company_a, 4)
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 429
    # the pages are not API calls, and company B has no limit
    assert api_client(company_a.primary_domain).get("/accounts/login/").status_code == 200
    other = api_client(company_b.primary_domain).get("/api/v1/me/")
    assert other.status_code == 401 and "X-RateLimit-Limit" not in other


def test_the_limit_counts_flushed_calls_when_redis_lost_its_counter(db, company_a):
    _limit_calls(company_a, 10)
    CompanyUsageDaily.objects.create(company=company_a, day=timezone.localdate(), requests=10)
    response = api_client(company_a.primary_domain).get("/api/v1/me/")
    assert response.status_code == 429


@pytest.fixture
def metered(db, company_a, company_b):
    today = timezone.localdate()
    rows = [
        (company_a, today, "GET", "/api/v1/lots/", 2, 80, [70, 5, 5, 0, 0, 0, 0, 0, 0, 0]),
        (company_a, today, "GET", "/api/v1/lots/", 5, 2, [0, 0, 0, 0, 0, 0, 0, 0, 2, 0]),
        (company_a, today, "POST", "/api/v1/lots/", 4, 18, [18, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        (company_b, today, "GET", "/api/v1/me/", 2, 5, [5, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    ]
    for company, day, method, route, status_class, requests, histogram in rows:
        EndpointUsageDaily.objects.create(
            company=company,
            day=day,
            method=method,
            route=route,
            status_class=status_class,
            requests=requests,
            bytes_out=requests * 10,
            latency_ms_sum=requests * 8,
            latency_histogram=histogram,
        )
    CompanyUsageDaily.objects.create(
        company=company_a,
        day=today,
        requests=100,
        bytes_out=1000,
        latency_ms_sum=800,
        client_errors=18,
        server_errors=2,
        latency_histogram=[88, 5, 5, 0, 0, 0, 0, 0, 2, 0],
    )
    CompanyUsageDaily.objects.create(
        company=company_b,
        day=today,
        requests=5,
        bytes_out=50,
        latency_ms_sum=40,
        latency_histogram=[5] + [0] * 9,
    )
    _limit_calls(company_a, 400)
    return today


def test_consumption_by_company_against_the_license_limits(metered, staff_api):
    response = staff_api.get("/api/master/analytics/consumption/")
    assert response.status_code == 200, response.content
    rows = {row["company"]: row for row in response.json()["results"]}
    alpha = rows["alpha"]
    assert (alpha["requests"], alpha["client_errors"], alpha["server_errors"]) == (100, 18, 2)
    assert alpha["avg_latency_ms"] == 8.0 and alpha["p95_latency_ms"] == 50
    assert (alpha["calls_this_month"], alpha["monthly_limit"], alpha["limit_used_percent"]) == (
        100,
        400,
        25.0,
    )
    assert rows["beta"]["monthly_limit"] is None
    assert response.json()["totals"]["requests"] == 105


def test_consumption_by_endpoint_and_by_day_for_one_company(metered, staff_api):
    response = staff_api.get(
        "/api/master/analytics/consumption/", {"group_by": "endpoint", "company": "alpha"}
    )
    rows = {(row["method"], row["route"]): row for row in response.json()["results"]}
    assert rows[("GET", "/api/v1/lots/")]["requests"] == 82
    assert rows[("GET", "/api/v1/lots/")]["server_errors"] == 2
    assert rows[("POST", "/api/v1/lots/")]["client_errors"] == 18
    assert ("GET", "/api/v1/me/") not in rows  # company B's endpoint
    assert rows[("POST", "/api/v1/lots/")]["server_errors"] == 0  # none, not null
    by_day = staff_api.get(
        "/api/master/analytics/consumption/", {"group_by": "day", "company": "beta"}
    ).json()
    assert [row["requests"] for row in by_day["results"]] == [5]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"group_by": "path"}, "group_by"),
        ({"start": "2026-05-02", "end": "2026-05-01"}, "start"),
        ({"start": "2024-01-01", "end": "2026-01-01"}, "start"),
        ({"company": "nadie"}, "company"),
        ({"start": "ayer"}, "start"),
    ],
)
def test_bad_consumption_queries_are_400_on_the_field(db, staff_api, params, field):
    response = staff_api.get("/api/master/analytics/consumption/", params)
    assert response.status_code == 400 and field in response.json()


def test_company_users_cannot_read_consumption(db, company_a, root_host):
    tokens = login_tokens(company_a.primary_domain, COMPANY_A.admin_email)
    on_company = bearer(company_a.primary_domain, tokens["access"]).get("/api/master/analytics/consumption/")
    assert on_company.status_code == 404
    on_root = bearer(root_host, tokens["access"]).get("/api/master/analytics/consumption/")
    assert on_root.status_code in (401, 403)
    assert api_client(root_host).get("/api/master/analytics/consumption/").status_code in (401, 403)
    assert connection.schema_name == "public"
    assert PASSWORD


def test_the_admin_shows_consumption_per_company_and_endpoint(metered, root_host):
    from tests.conftest import STAFF_EMAIL, web_client

    client = web_client(root_host)
    client.login(email=STAFF_EMAIL, password=PASSWORD)
    page = client.get("/admin/metering/companyusagedaily/").content.decode()
    assert 'id="consumption"' in page and "alpha" in page and "400" in page  # A's monthly limit
    by_endpoint = client.get(
        "/admin/metering/companyusagedaily/", {"group_by": "endpoint", "company": "alpha"}
    )
    html = by_endpoint.content.decode()
    assert "/api/v1/lots/" in html and "/api/v1/me/" not in html  # company B's endpoint is not A's
    refused = client.get("/admin/metering/companyusagedaily/", {"start": "2026-05-02", "end": "2026-05-01"})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    assert client.get("/admin/metering/companyusagedaily/add/").status_code == 403
