"""The processing API: yields and the wet-to-dry conversion factor against hand-computed
figures, the lot after drying, the timeline, validation, scoping, roles, the license."""

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from erp.ledger.models import LedgerEntry
from erp.lots.models import Lot, LotEventAction
from master.licensing.models import Module

from .helpers import ago, drying, fermenting, make, wet_lot

D = Decimal
F = "/api/v1/processing/fermentations/"
R = "/api/v1/processing/dryings/"


def _finish_drying(world, run, **body):
    return world.client("center").post(
        f"{R}{run.pk}/finish/", {"weight_out_kg": "380", **body}, format="json"
    )


def test_a_center_ferments_and_dries_its_lot_and_the_factor_is_measured(erp_a):
    lot = make(erp_a, wet_lot)
    client = erp_a.client("center")
    started = client.post(
        F, {"lot": lot.pk, "box": "Cajón 1", "started_at": ago(days=6).isoformat()}, format="json"
    )
    assert started.status_code == 201, started.json()
    batch = started.json()
    assert batch["weight_in_kg"] == "1000.00" and batch["weight_in_qq"] == "22.05"  # 1000 / 45.359237
    turn = client.post(
        f"{F}{batch['id']}/turns/", {"at": ago(days=4).isoformat(), "temperature_c": "47.5"}, format="json"
    )
    assert turn.status_code == 201 and turn.json()["turns"][0]["temperature_c"] == "47.50"
    done = client.post(
        f"{F}{batch['id']}/finish/",
        {"weight_out_kg": "850", "ended_at": ago(days=1).isoformat()},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["yield_percent"] == "85.00" and done.json()["days"] == "5.0"
    assert done.json()["outside_typical_days"] is False

    run = client.post(
        R, {"lot": lot.pk, "method": "mechanical", "started_at": ago(hours=3).isoformat()}, format="json"
    )
    assert run.status_code == 201, run.json()
    run = run.json()
    assert run["weight_in_kg"] == "850.00" and run["target_moisture_percent"] == "7.00"
    reading = client.post(
        f"{R}{run['id']}/readings/",
        {"at": ago(hours=0.1).isoformat(), "moisture_percent": "30"},
        format="json",
    )
    assert reading.status_code == 201, reading.json()
    finished = client.post(
        f"{R}{run['id']}/finish/", {"weight_out_kg": "380", "moisture_percent": "6.8"}, format="json"
    )
    assert finished.status_code == 200, finished.json()
    assert finished.json()["yield_percent"] == "44.71"  # 380 / 850 = 44.705…
    assert finished.json()["ended_above_target"] is False

    summary = client.get(f"/api/v1/processing/lots/{lot.pk}/").json()
    assert summary["wet_in_kg"] == "1000.00" and summary["dry_out_kg"] == "380.00"
    assert summary["conversion_factor_percent"] == "38.00"  # 380 / 1000
    assert summary["dry_out_qq"] == "8.38"  # 380 / 45.359237 = 8.377…
    with tenant_context(erp_a.company):
        lot = Lot.objects.get(pk=lot.pk)
        assert (lot.weight_kg, lot.humidity_percent, lot.form, lot.status) == (
            D("380"),
            D("6.8"),
            "seco",
            "dried",
        )
        steps = [
            e.changes.get("step")
            for e in lot.events.filter(action__in=[LotEventAction.FERMENTED, LotEventAction.DRIED])
        ]
        assert steps == ["start", "turn", "end", "start", "reading", "reading", "end"]
        assert LedgerEntry.objects.filter(lot_id=lot.pk, kind=LotEventAction.DRIED).count() == 4


def test_starting_puts_a_received_lot_in_process(erp_a):
    batch = make(erp_a, fermenting)
    with tenant_context(erp_a.company):
        assert Lot.objects.get(pk=batch.lot_id).status == "drying"


def test_a_fermentation_outside_four_to_seven_days_is_flagged(erp_a):
    batch = make(erp_a, fermenting)  # started 6 days ago
    done = erp_a.client("admin").post(
        f"{F}{batch.pk}/finish/",
        {"weight_out_kg": "900", "ended_at": ago(days=3.5).isoformat()},
        format="json",
    )
    assert (
        done.status_code == 200
        and done.json()["days"] == "2.5"
        and done.json()["outside_typical_days"] is True
    )


def test_ending_drying_above_target_needs_a_confirmation_and_stays_flagged(erp_a):
    run = make(erp_a, drying)  # last reading 20 %, target 7 %
    refused = _finish_drying(erp_a, run)
    assert refused.status_code == 400 and "confirm_above_target" in refused.json()
    done = _finish_drying(erp_a, run, confirm_above_target=True)
    assert done.status_code == 200 and done.json()["ended_above_target"] is True
    with tenant_context(erp_a.company):
        assert Lot.objects.get(pk=run.lot_id).humidity_percent == D("20")


@pytest.mark.parametrize(
    "path, body, field",
    [
        (
            "finish",
            {"weight_out_kg": "380", "ended_at": "2020-01-01T00:00:00Z", "confirm_above_target": True},
            "ended_at",
        ),
        ("finish", {"weight_out_kg": "0"}, "weight_out_kg"),
        ("finish", {"weight_out_kg": "851", "moisture_percent": "7"}, "weight_out_kg"),
        ("finish", {"weight_out_kg": "380", "moisture_percent": "101"}, "moisture_percent"),
        ("readings", {"at": ago(hours=1).isoformat(), "moisture_percent": "-1"}, "moisture_percent"),
        ("readings", {"at": ago(days=2).isoformat(), "moisture_percent": "10"}, "at"),
        ("readings", {"at": ago(days=-1).isoformat(), "moisture_percent": "10"}, "at"),
    ],
)
def test_bad_drying_input_answers_400_naming_the_field(erp_a, path, body, field):
    run = make(erp_a, drying)
    answer = erp_a.client("center").post(f"{R}{run.pk}/{path}/", body, format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.json()


def test_bad_start_input_answers_400_naming_the_field(erp_a):
    batch = make(erp_a, fermenting)
    client = erp_a.client("center")
    busy = client.post(R, {"lot": batch.lot_id}, format="json")
    assert busy.status_code == 400 and "lot" in busy.json()
    again = client.post(F, {"lot": batch.lot_id, "box": "2"}, format="json")
    assert again.status_code == 400 and "lot" in again.json()
    dry = client.post(F, {"lot": erp_a.lots["center"].pk, "box": "2"}, format="json")  # a dry, stored lot
    assert dry.status_code == 400 and "lot" in dry.json()
    lot = make(erp_a, wet_lot)
    heavy = client.post(F, {"lot": lot.pk, "box": "2", "weight_in_kg": "1000.01"}, format="json")
    assert heavy.status_code == 400 and "weight_in_kg" in heavy.json()
    zero = client.post(F, {"lot": lot.pk, "box": "2", "weight_in_kg": "0"}, format="json")
    assert zero.status_code == 400 and "weight_in_kg" in zero.json()
    hot = client.post(
        f"{F}{batch.pk}/turns/", {"at": ago(days=1).isoformat(), "temperature_c": "95"}, format="json"
    )
    assert hot.status_code == 400 and "temperature_c" in hot.json()
    early = client.post(
        f"{F}{batch.pk}/finish/", {"weight_out_kg": "800", "ended_at": ago(days=7).isoformat()}, format="json"
    )
    assert early.status_code == 400 and "ended_at" in early.json()
    missing = client.post(F, {"lot": 999999, "box": "2"}, format="json")
    assert missing.status_code == 400 and "lot" in missing.json()


def test_a_supplier_sees_the_processing_of_its_own_lots_only(erp_a):
    own, other = make(erp_a, drying, owner="supplier"), make(erp_a, drying, owner="supplier2")
    supplier = erp_a.client("supplier")
    assert [r["id"] for r in supplier.get(R).json()["results"]] == [own.pk]
    assert supplier.get(f"{R}{other.pk}/").status_code == 404
    assert supplier.get(f"/api/v1/processing/lots/{other.lot_id}/").status_code == 404
    assert supplier.get(f"{F}?lot={own.lot_id}").json()["count"] == 1
    assert (
        supplier.post(
            f"{R}{own.pk}/readings/", {"at": ago().isoformat(), "moisture_percent": "9"}, format="json"
        ).status_code
        == 403
    )


def test_a_center_cannot_process_a_lot_it_may_not_see(erp_a):
    lot = make(erp_a, wet_lot, owner="supplier")
    center = erp_a.client("center")
    assert center.post(F, {"lot": lot.pk, "box": "1"}, format="json").status_code == 404
    assert center.post(R, {"lot": lot.pk}, format="json").status_code == 404
    run = make(erp_a, drying, owner="supplier")
    assert center.post(f"{R}{run.pk}/finish/", {"weight_out_kg": "380"}, format="json").status_code == 404


def test_open_and_closed_filters(erp_a):
    run = make(erp_a, drying)
    client = erp_a.client("exporter")
    assert client.get(f"{F}?open=false").json()["count"] == 1
    assert client.get(f"{F}?open=true").json()["count"] == 0
    assert [r["id"] for r in client.get(f"{R}?open=true").json()["results"]] == [run.pk]


def test_another_companys_token_and_objects_are_refused(erp_a, erp_b):
    run = make(erp_a, drying)
    assert erp_b.client("admin").get(f"{R}{run.pk}/").status_code == 404
    client = erp_a.client("admin")
    client.defaults["HTTP_HOST"] = erp_b.host
    assert client.get(R).status_code == 401


def test_without_the_processing_module_the_api_answers_403(erp_a):
    license = erp_a.company.licenses.get()
    license.modules = [m for m in Module.values if m != Module.PROCESSING]
    license.save()
    refused = erp_a.client("admin").get(R)
    assert refused.status_code == 403 and refused.json()["code"] == "module_not_licensed"


def test_the_demo_ferments_and_dries_a_lot_to_a_measured_38_percent(erp_a):
    from erp.processing.demo import demo_processing_populate
    from erp.processing.models import DryingRun
    from erp.processing.selectors import lot_processing

    with tenant_context(erp_a.company):
        demo_processing_populate(admin=erp_a.users["admin"], center=erp_a.partners["center"])
        lot = DryingRun.objects.get().lot
        assert lot_processing(lot).conversion_factor_percent == D("38.00")  # 874 / 2300
        assert (lot.status, lot.form, lot.humidity_percent) == ("dried", "seco", D("7.00"))
