"""The exporter's monthly demand: company-side users write it, centers and suppliers read
what is open today."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from erp.market.models import Demand
from erp.market.services import demand_create

URL = "/api/v1/demand/"
TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)


@pytest.fixture
def routing_frozen(monkeypatch):
    """Counting a request's queries: other test runs on the same Redis may bump the shared
    routing generation at any moment, which adds a domain lookup at random; keep the routes
    this process has cached."""
    monkeypatch.setattr("master.companies.routing._forget_if_changed_elsewhere", lambda: None)


def make_demand(world, *, days_open=(-10, 10), month=THIS_MONTH, **fields) -> Demand:
    with tenant_context(world.company):
        return demand_create(
            user=world.users["admin"],
            month=month,
            tm_wanted=fields.pop("tm_wanted", Decimal("25")),
            contract_type=fields.pop("contract_type", "fixed"),
            valid_from=TODAY + timedelta(days=days_open[0]),
            valid_to=TODAY + timedelta(days=days_open[1]),
            **fields,
        )


@pytest.fixture
def demands(erp_a) -> dict[str, Demand]:
    return {
        "open": make_demand(erp_a),
        "closed": make_demand(erp_a, days_open=(-60, -30), month=date(2020, 1, 1)),
        "future": make_demand(erp_a, days_open=(30, 60), variety="ccn51", contract_type="differential"),
    }


def payload(**changes) -> dict:
    return {
        "month": THIS_MONTH.isoformat(),
        "tm_wanted": "40.5",
        "variety": "nacional",
        "contract_type": "differential",
        "valid_from": TODAY.isoformat(),
        "valid_to": (TODAY + timedelta(days=30)).isoformat(),
        **changes,
    }


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {d["id"] for d in response.json()["results"]}


def stored(world, pk) -> Demand | None:
    with tenant_context(world.company):
        return Demand.all_objects.filter(pk=pk).first()


@pytest.mark.parametrize("role", ["admin", "exporter"])
def test_company_side_sees_all_demand(erp_a, demands, role):
    assert ids(erp_a.client(role).get(URL)) == {d.pk for d in demands.values()}


@pytest.mark.parametrize("role", ["center", "supplier"])
def test_centers_and_suppliers_see_only_open_demand(erp_a, demands, role):
    client = erp_a.client(role)

    assert ids(client.get(URL)) == {demands["open"].pk}
    assert client.get(f"{URL}{demands['open'].pk}/").json()["is_open"] is True
    assert client.get(f"{URL}{demands['closed'].pk}/").status_code == 404
    assert client.get(f"{URL}{demands['future'].pk}/").status_code == 404


def test_anyone_may_filter_the_open_demand(erp_a, demands):
    assert ids(erp_a.client("exporter").get(URL, {"open": "true"})) == {demands["open"].pk}
    assert ids(erp_a.client("exporter").get(URL, {"open": "false"})) == {
        demands["closed"].pk,
        demands["future"].pk,
    }
    assert ids(erp_a.client("supplier").get(URL, {"open": "true"})) == {demands["open"].pk}


def test_it_filters_by_month_range_variety_and_contract_type(erp_a, demands):
    client = erp_a.client("admin")

    assert ids(client.get(URL, {"month_after": "2021-01-01"})) == {demands["open"].pk, demands["future"].pk}
    assert ids(client.get(URL, {"month_before": "2020-12-01"})) == {demands["closed"].pk}
    assert ids(client.get(URL, {"variety": "ccn51"})) == {demands["future"].pk}
    assert ids(client.get(URL, {"contract_type": "fixed"})) == {demands["open"].pk, demands["closed"].pk}


def test_it_orders_by_month(erp_a, demands):
    results = erp_a.client("admin").get(URL, {"ordering": "month"}).json()["results"]

    assert results[0]["id"] == demands["closed"].pk


@pytest.mark.parametrize("role", ["admin", "exporter"])
def test_company_side_creates_demand(erp_a, role):
    response = erp_a.client(role).post(URL, payload(), format="json")

    assert response.status_code == 201, response.content
    demand = stored(erp_a, response.json()["id"])
    assert demand.tm_wanted == Decimal("40.500")
    assert demand.created_by == erp_a.users[role]
    assert response.json()["qq_wanted"] == "892.87"


def test_a_month_may_be_given_as_year_and_month(erp_a):
    response = erp_a.client("exporter").post(URL, payload(month="2026-03"), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["month"] == "2026-03-01"


@pytest.mark.parametrize("role", ["center", "supplier"])
def test_centers_and_suppliers_cannot_write_demand(erp_a, demands, role):
    client = erp_a.client(role)
    detail = f"{URL}{demands['open'].pk}/"

    assert client.post(URL, payload(), format="json").status_code == 403
    assert client.patch(detail, {"tm_wanted": "1"}, format="json").status_code == 403
    assert client.put(detail, payload(), format="json").status_code == 403
    assert client.delete(detail).status_code == 403
    demand = stored(erp_a, demands["open"].pk)
    assert demand.tm_wanted == Decimal("25") and demand.deleted_at is None


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"month": "2026-03-15"}, "month"),
        ({"valid_to": (TODAY - timedelta(days=1)).isoformat()}, "valid_to"),
        ({"valid_from": "not a date"}, "valid_from"),
        ({"tm_wanted": "0"}, "tm_wanted"),
        ({"contract_type": "barter"}, "contract_type"),
    ],
)
def test_bad_input_answers_400_and_writes_nothing(erp_a, changes, field):
    response = erp_a.client("exporter").post(URL, payload(**changes), format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    with tenant_context(erp_a.company):
        assert not Demand.all_objects.exists()


def test_an_update_is_validated_with_the_stored_values(erp_a, demands):
    demand = demands["open"]
    response = erp_a.client("exporter").patch(
        f"{URL}{demand.pk}/", {"valid_to": (demand.valid_from - timedelta(days=1)).isoformat()}, format="json"
    )

    assert response.status_code == 400, response.content
    assert "valid_to" in response.json()
    assert stored(erp_a, demand.pk).valid_to == demand.valid_to


def test_exporter_updates_demand(erp_a, demands):
    response = erp_a.client("exporter").patch(
        f"{URL}{demands['open'].pk}/", {"tm_wanted": "30"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert stored(erp_a, demands["open"].pk).tm_wanted == Decimal("30")


def test_delete_is_soft_and_an_admin_restores(erp_a, demands):
    demand = demands["open"]

    assert erp_a.client("exporter").delete(f"{URL}{demand.pk}/").status_code == 204
    assert stored(erp_a, demand.pk).deleted_at is not None
    assert demand.pk not in ids(erp_a.client("admin").get(URL))
    assert erp_a.client("supplier").get(f"{URL}{demand.pk}/").status_code == 404

    assert erp_a.client("exporter").post(f"{URL}{demand.pk}/restore/").status_code == 403
    response = erp_a.client("admin").post(f"{URL}{demand.pk}/restore/")

    assert response.status_code == 200, response.content
    assert stored(erp_a, demand.pk).deleted_at is None
    assert demand.pk in ids(erp_a.client("supplier").get(URL))


def test_company_a_demand_is_not_found_on_company_b(erp_a, erp_b, demands):
    client = erp_b.client("admin")
    demand = demands["open"]

    assert ids(client.get(URL)) == set()
    assert client.get(f"{URL}{demand.pk}/").status_code == 404
    assert client.patch(f"{URL}{demand.pk}/", {"tm_wanted": "1"}, format="json").status_code == 404
    assert client.delete(f"{URL}{demand.pk}/").status_code == 404
    assert stored(erp_a, demand.pk).tm_wanted == Decimal("25")


@pytest.mark.parametrize("role", ["admin", "supplier"])
def test_the_list_runs_a_constant_number_of_queries(erp_a, role, routing_frozen):
    client = erp_a.client(role)
    make_demand(erp_a)
    client.get(URL)  # warm the routing cache

    small = count_queries(client, {"page_size": 1})
    for month in range(1, 13):
        make_demand(erp_a, month=date(2026, month, 1))
    large = count_queries(client, {"page_size": 20})

    assert large == small


def count_queries(client, params) -> int:
    connection.set_schema_to_public()  # as any request starts
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return len(queries)
