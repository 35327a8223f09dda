"""Notifications: the triggers, each recipient's language and choices, e-mail off the request
path (a tenant-aware task, run inline in the tests), the list and its isolation."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from erp.demo import minimal_pdf
from erp.notifications.models import Device, Notification
from erp.notifications.tasks import notification_email_send

URL = "/api/v1/notifications/"


@pytest.fixture(autouse=True)
def nothing_yet(erp_a, erp_b):
    """The fixtures' own set-up (a contract made active) notified people; start from zero."""
    for world in (erp_a, erp_b):
        with tenant_context(world.company):
            Notification.objects.all().delete()
    mail.outbox.clear()


def titles(world, role) -> list[str]:
    return [n["title"] for n in world.client(role).get(URL).json()["results"]]


def test_a_status_change_reaches_the_contracts_participants_but_not_the_actor(
    erp_a, django_capture_on_commit_callbacks
):
    contract = erp_a.contracts["center"]
    with django_capture_on_commit_callbacks(execute=True):
        response = erp_a.client("exporter").post(
            f"/api/v1/contracts/{contract.pk}/transition/", {"status": "in_execution"}, format="json"
        )
    assert response.status_code == 200
    expected = f"El contrato {contract.code} está ahora «En ejecución»"
    assert titles(erp_a, "center") == [expected] and titles(erp_a, "admin") == [expected]
    assert titles(erp_a, "exporter") == []  # the actor
    assert titles(erp_a, "supplier") == []  # not a party
    mailed = {m.to[0] for m in mail.outbox}
    assert {erp_a.users["center"].email, erp_a.users["admin"].email} <= mailed
    assert not {erp_a.users["exporter"].email, erp_a.users["supplier"].email} & mailed
    assert f"/contracts/{contract.pk}/" in mail.outbox[0].body


def test_documents_and_rejected_lots_notify_and_english_speakers_read_english(
    erp_a, django_capture_on_commit_callbacks
):
    center = erp_a.users["center"]
    with tenant_context(erp_a.company):
        center.language = "en"
        center.save(update_fields=["language"])
    pdf = SimpleUploadedFile("guia.pdf", minimal_pdf("g"), content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        erp_a.client("admin").post(
            f"/api/v1/contracts/{erp_a.contracts['center'].pk}/documents/", {"kind": "invoice", "file": pdf}
        )
        erp_a.client("admin").patch(
            f"/api/v1/lots/{erp_a.lots['center'].pk}/", {"status": "rejected"}, format="json"
        )
    assert titles(erp_a, "center") == [
        f"Lot {erp_a.lots['center'].code} was rejected",
        f"New document on contract {erp_a.contracts['center'].code}",
    ]


def test_each_user_chooses_per_channel(erp_a, django_capture_on_commit_callbacks):
    client = erp_a.client("center")
    choice = client.put(f"{URL}preferences/", {"contract_status": {"email": False}}, format="json")
    assert choice.status_code == 200 and choice.json()["preferences"]["contract_status"]["email"] is False
    assert choice.json()["push_enabled"] is False  # no FCM credentials here: push is off
    with django_capture_on_commit_callbacks(execute=True):
        erp_a.client("admin").post(
            f"/api/v1/contracts/{erp_a.contracts['center'].pk}/transition/",
            {"status": "in_execution"},
            format="json",
        )
    assert len(titles(erp_a, "center")) == 1  # in-app still on
    assert erp_a.users["center"].email not in {m.to[0] for m in mail.outbox}
    bad = client.put(f"{URL}preferences/", {"contract_status": {"fax": True}}, format="json")
    assert bad.status_code == 400 and "contract_status" in bad.json()
    assert client.put(f"{URL}preferences/", {"nope": {}}, format="json").status_code == 400


def test_marking_read(erp_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for status in ("in_execution", "fulfilled"):
            erp_a.client("admin").post(
                f"/api/v1/contracts/{erp_a.contracts['center'].pk}/transition/",
                {"status": status},
                format="json",
            )
    client = erp_a.client("center")
    listing = client.get(URL).json()
    assert listing["unread"] == 2
    first = listing["results"][0]["id"]
    assert client.post(f"{URL}read/", {"ids": [first]}, format="json").json() == {"marked": 1, "unread": 1}
    assert client.get(URL, {"unread": "true"}).json()["count"] == 1
    assert client.post(f"{URL}read/", {}, format="json").json()["unread"] == 0
    assert client.post(f"{URL}read/", {"ids": ["x"]}, format="json").status_code == 400


def test_an_email_task_run_twice_sends_once(erp_a):
    with tenant_context(erp_a.company):
        for _ in range(2):  # a worker killed after sending runs it again
            notification_email_send.apply(args=[erp_a.users["center"].pk, "Asunto", "Cuerpo", "", "key-1"])
    assert len(mail.outbox) == 1


def test_notifications_and_devices_stay_in_their_company(erp_a, erp_b, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        erp_a.client("admin").post(
            f"/api/v1/contracts/{erp_a.contracts['center'].pk}/transition/",
            {"status": "in_execution"},
            format="json",
        )
    assert titles(erp_b, "center") == [] and titles(erp_b, "admin") == []
    token = {"token": "fcm-token-123", "platform": "android"}
    assert erp_a.client("center").post("/api/v1/devices/", token, format="json").status_code == 201
    assert erp_b.client("center").get("/api/v1/devices/").json()["count"] == 0
    with tenant_context(erp_a.company):
        assert Device.objects.get().user == erp_a.users["center"]
        assert Notification.objects.filter(user__email=erp_a.users["center"].email).count() == 1
    assert erp_a.client("center").post("/api/v1/devices/", {"token": ""}, format="json").status_code == 400


def test_the_push_channel_says_at_start_up_that_it_is_off():
    from django.core.checks import run_checks

    messages = [m for m in run_checks() if m.id == "triboka.I001"]
    assert messages and "Push notifications are off" in messages[0].msg
