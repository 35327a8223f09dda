"""Readings over REST: POST /api/v1/iot/readings/ with the device's key, the seed's
POST /iot/pesaje, validation, idempotency, and the effects on lots."""

import threading
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from erp.lots.models import LotEvent, LotEventAction
from erp.notifications.models import Notification, NotificationKind
from iot.models import Reading


def readings_of(scale):
    with tenant_context(scale.world.company):
        return list(Reading.objects.filter(device=scale.device).order_by("id"))


def test_a_device_posts_a_reading_that_updates_its_lot_and_timeline(scale_a):
    lot = scale_a.world.lots["center"]
    response = scale_a.client().post(
        "/api/v1/iot/readings/",
        {"id": "m-1", "lot": lot.code, "gross_kg": "4.600,5", "tare_kg": "100,5", "moisture": "7,1"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["net_kg"] == "4500.00" and body["net_qq"] == "99.21" and body["lot_code"] == lot.code
    with tenant_context(scale_a.world.company):
        lot.refresh_from_db()
        assert lot.weight_kg == Decimal("4500.00") and lot.humidity_percent == Decimal("7.10")
        event = LotEvent.objects.filter(lot=lot).latest("id")
        assert event.action == LotEventAction.MEASURED and "Báscula 1" in event.source
        assert event.changes["weight_kg"][1] == "4500.00"


def test_the_seed_pesaje_shape_is_accepted(scale_a):
    lot = scale_a.world.lots["center"]
    response = scale_a.client().post(
        "/iot/pesaje", {"lote_id": lot.pk, "peso": 2000, "humedad": 6.5, "origen": "bascula"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["raw"]["origen"] == "bascula"
    assert response.json()["net_kg"] == "2000.00"


def test_bad_readings_answer_400_with_field_errors_and_store_nothing(scale_a):
    client = scale_a.client()
    future = (timezone.now() + timezone.timedelta(days=2)).isoformat()
    cases = [
        ({"net_kg": "0"}, "net_kg"),
        ({"net_kg": "-5"}, "net_kg"),
        ({"net_kg": "70000"}, "net_kg"),  # above the capacity of 60,000 kg
        ({"net_kg": "12", "moisture": "101"}, "moisture_percent"),
        ({"net_kg": "12,3,4"}, "net_kg"),
        ({"net_kg": "abc"}, "net_kg"),
        ({"net_kg": "12", "measured_at": future}, "measured_at"),
        ({"net_kg": "12", "lot": "NO-SUCH-LOT"}, "lot"),
        ({"net_kg": "12", "lot": scale_a.world.lots["supplier"].code}, "lot"),  # another partner's
        ({"gross_kg": "100", "tare_kg": "10", "net_kg": "50"}, "net_kg"),
        ({}, "net_kg"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/iot/readings/", body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json(), (body, response.json())
    assert readings_of(scale_a) == []


def test_a_batch_is_stored_whole_or_refused_with_errors_by_position(scale_a):
    client = scale_a.client()
    good = [{"id": f"b-{n}", "net_kg": 100 + n} for n in range(5)]
    response = client.post("/api/v1/iot/readings/", [*good, {"id": "bad", "moisture": "x"}], format="json")
    assert response.status_code == 400
    assert "moisture_percent" in response.json()["readings"]["6"]
    assert readings_of(scale_a) == []
    response = client.post("/api/v1/iot/readings/", {"readings": good}, format="json")
    assert response.status_code == 201
    assert response.json() | {"readings": None} == {
        "received": 5,
        "added": 5,
        "duplicates": 0,
        "readings": None,
    }
    again = client.post("/api/v1/iot/readings/", good, format="json")
    assert again.json()["added"] == 0 and again.json()["duplicates"] == 5
    assert len(readings_of(scale_a)) == 5


def test_a_reading_sent_again_is_answered_with_the_stored_one(scale_a):
    body = {"measured_at": "2026-11-30T08:00:00-05:00", "net_kg": "1500"}
    first = scale_a.client().post("/api/v1/iot/readings/", body, format="json")
    second = scale_a.client().post("/api/v1/iot/readings/", body, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]


def test_an_older_reading_arriving_late_does_not_overwrite_the_lot(scale_a):
    lot = scale_a.world.lots["center"]
    client = scale_a.client()
    newer = {"lot": lot.pk, "net_kg": "4000", "measured_at": "2026-11-30T10:00:00-05:00"}
    older = {"lot": lot.pk, "net_kg": "4200", "measured_at": "2026-11-30T09:00:00-05:00"}
    assert client.post("/api/v1/iot/readings/", newer, format="json").status_code == 201
    assert client.post("/api/v1/iot/readings/", older, format="json").status_code == 201
    with tenant_context(scale_a.world.company):
        lot.refresh_from_db()
        assert lot.weight_kg == Decimal("4000.00")


def test_a_key_of_company_a_is_refused_on_company_b(scale_a, scale_b):
    response = scale_b.client(key=scale_a.key).post("/api/v1/iot/readings/", {"net_kg": "10"}, format="json")
    assert response.status_code == 401
    assert readings_of(scale_a) == [] and readings_of(scale_b) == []


def test_users_tokens_cannot_send_readings_and_no_key_is_401(scale_a):
    as_admin = scale_a.world.client("admin").post("/api/v1/iot/readings/", {"net_kg": "10"}, format="json")
    assert as_admin.status_code == 403
    anonymous = scale_a.world.client(None).post("/api/v1/iot/readings/", {"net_kg": "10"}, format="json")
    assert anonymous.status_code == 401


def test_moisture_above_the_limit_notifies_the_center_once(scale_a):
    lot = scale_a.world.lots["center"]
    center_user = scale_a.world.users["center"]
    client = scale_a.client()
    for n, moisture in enumerate(["8,2", "8,4"]):
        body = {"id": f"wet-{n}", "lot": lot.code, "moisture": moisture}
        assert client.post("/api/v1/iot/readings/", body, format="json").status_code == 201
    with tenant_context(scale_a.world.company):
        notes = Notification.objects.filter(user=center_user, kind=NotificationKind.LOT_MOISTURE_HIGH)
        assert notes.count() == 1
        assert lot.code in notes.get().title and "8,2 % (límite 7,5 %)" in notes.get().title


def test_the_same_reading_sent_five_times_at_once_stores_one_row(committed_company, django_db_blocker):
    """Five threads, five database connections, the same reading at the same moment: the
    unique constraint, not a Python check, keeps one row (committed data, real concurrency)."""
    from iot.services import device_register

    with django_db_blocker.unblock():
        with tenant_context(committed_company):
            device, key = device_register(user=None, name="Báscula", serial_number="SN-C", kind="scale")
        connection.set_schema_to_public()
        host = committed_company.primary_domain
        body = {"measured_at": "2026-11-30T08:00:00-05:00", "net_kg": "321,5"}
        barrier, statuses = threading.Barrier(5), []

        def send():
            client = APIClient(HTTP_HOST=host)
            client.credentials(HTTP_AUTHORIZATION=f"Device {key}")
            try:
                barrier.wait(10)
                statuses.append(client.post("/api/v1/iot/readings/", body, format="json").status_code)
            finally:
                connection.close()

        threads = [threading.Thread(target=send) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        with tenant_context(committed_company):
            stored = Reading.objects.filter(device=device).count()
        connection.set_schema_to_public()
    assert sorted(statuses) == [200, 200, 200, 200, 201]
    assert stored == 1
