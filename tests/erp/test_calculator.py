"""The USD/TM -> USD/quintal calculator and each user's history of it."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from erp.calculator.models import Calculation
from erp.calculator.services import calculation_run

URL = "/api/v1/calculator/"
HISTORY = "/api/v1/calculator/history/"


@pytest.fixture
def routing_frozen(monkeypatch):
    """Counting a request's queries: other test runs on the same Redis may bump the shared
    routing generation at any moment, which adds a domain lookup at random; keep the routes
    this process has cached."""
    monkeypatch.setattr("master.companies.routing._forget_if_changed_elsewhere", lambda: None)


def calculation_count(world) -> int:
    with tenant_context(world.company):
        return Calculation.objects.count()


def run(world, role, spot, differentials):
    with tenant_context(world.company):
        return calculation_run(user=world.users[role], spot=Decimal(spot), differentials=differentials)


def test_it_prices_a_quintal_for_each_differential(erp_a):
    response = erp_a.client("exporter").post(URL, {"spot": 6319, "differentials": [200, 300]}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["spot"] == "6319.00"
    assert body["divisor"] == "22.0462"
    assert body["results"] == [
        {"differential": "200.00", "price_per_quintal": "277.55"},
        {"differential": "300.00", "price_per_quintal": "273.02"},
    ]
    with tenant_context(erp_a.company):
        saved = Calculation.objects.get(pk=body["id"])
        assert saved.user == erp_a.users["exporter"]
        assert saved.spot_usd_per_tm == Decimal("6319.00")


def test_a_negative_differential_is_a_premium(erp_a):
    response = erp_a.client("center").post(
        URL, {"spot": "6319", "differentials": ["-150", "0"]}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["results"] == [
        {"differential": "-150.00", "price_per_quintal": "293.43"},
        {"differential": "0.00", "price_per_quintal": "286.63"},
    ]


@pytest.mark.parametrize("role", ["admin", "exporter", "center", "supplier"])
def test_every_role_may_use_it(erp_a, role):
    response = erp_a.client(role).post(URL, {"spot": 5000, "differentials": [0]}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["results"][0]["price_per_quintal"] == "226.80"
    assert erp_a.client(role).get(HISTORY).status_code == 200


def test_it_refuses_anonymous_users(erp_a):
    assert (
        erp_a.client(None).post(URL, {"spot": 5000, "differentials": [0]}, format="json").status_code == 401
    )
    assert erp_a.client(None).get(HISTORY).status_code == 401


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"spot": 0, "differentials": [200]}, "spot"),
        ({"spot": -6319, "differentials": [200]}, "spot"),
        ({"spot": "abc", "differentials": [200]}, "spot"),
        ({"spot": 6319.123, "differentials": [200]}, "spot"),
        ({"spot": 6319, "differentials": []}, "differentials"),
        ({"spot": 6319, "differentials": list(range(21))}, "differentials"),
        ({"spot": 6319, "differentials": ["abc"]}, "differentials"),
        ({"spot": 6319, "differentials": 200}, "differentials"),
        ({"spot": 6319, "differentials": [6319]}, "differentials"),
        ({"differentials": [200]}, "spot"),
        ({"spot": 6319}, "differentials"),
    ],
)
def test_bad_input_answers_400_with_the_field_and_saves_nothing(erp_a, payload, field):
    response = erp_a.client("exporter").post(URL, payload, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert calculation_count(erp_a) == 0


def test_twenty_differentials_are_allowed(erp_a):
    response = erp_a.client("exporter").post(
        URL, {"spot": 6319, "differentials": list(range(20))}, format="json"
    )

    assert response.status_code == 201, response.content
    assert len(response.json()["results"]) == 20


def test_history_shows_the_callers_own_calculations_newest_first(erp_a):
    first = run(erp_a, "supplier", "6000", [100])
    second = run(erp_a, "supplier", "6100", [100])
    others = run(erp_a, "exporter", "6319", [200])

    body = erp_a.client("supplier").get(HISTORY).json()

    assert body["count"] == 2
    assert [c["id"] for c in body["results"]] == [second.pk, first.pk]
    assert others.pk not in [c["id"] for c in body["results"]]


def test_history_is_paginated(erp_a):
    for spot in range(6000, 6005):
        run(erp_a, "center", spot, [100])

    body = erp_a.client("center").get(HISTORY, {"page_size": 2}).json()

    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert body["next"]


def test_company_a_calculations_are_absent_on_company_b(erp_a, erp_b):
    from_a = run(erp_a, "admin", "7777", [100])
    run(erp_b, "admin", "5555", [100])

    body = erp_b.client("admin").get(HISTORY).json()

    assert [c["spot"] for c in body["results"]] == ["5555.00"]
    with tenant_context(erp_b.company):
        assert not Calculation.objects.filter(spot_usd_per_tm=from_a.spot_usd_per_tm).exists()


def test_a_company_a_token_is_refused_on_company_b(erp_a, erp_b):
    client = erp_a.client("admin")
    client.defaults["HTTP_HOST"] = erp_b.host

    assert client.get(HISTORY).status_code == 401
    assert client.post(URL, {"spot": 6319, "differentials": [200]}, format="json").status_code == 401
    assert calculation_count(erp_b) == 0


def count_queries(client, url, params) -> tuple[int, dict]:
    """Queries of one request, starting like any request from the public schema."""
    connection.set_schema_to_public()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


def test_history_runs_a_constant_number_of_queries(erp_a, routing_frozen):
    client = erp_a.client("exporter")
    run(erp_a, "exporter", "6000", [100])
    client.get(HISTORY)  # warm the routing cache

    small, _ = count_queries(client, HISTORY, {"page_size": 1})
    for spot in range(6001, 6011):
        run(erp_a, "exporter", spot, [100, 200])
    large, body = count_queries(client, HISTORY, {"page_size": 10})

    assert len(body["results"]) == 10
    assert large == small
