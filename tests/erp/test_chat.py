"""The contract chat over REST: participants only, saved messages, unread counts, limits."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from erp.chat.models import ChatMessage
from erp.demo import minimal_pdf
from erp.documents.services import document_upload

URL = "/api/v1/chats/"


def room_of(world, role, contract_key="center"):
    response = world.client(role).get(URL, {"contract": world.contracts[contract_key].pk})
    assert response.status_code == 200, response.content
    return response.json()[0]["id"]


def test_only_the_contracts_participants_open_its_room(erp_a):
    contract = erp_a.contracts["center"]
    for role in ("admin", "exporter", "center"):
        assert erp_a.client(role).get(URL, {"contract": contract.pk}).status_code == 200
    assert erp_a.client("supplier").get(URL, {"contract": contract.pk}).status_code == 403
    assert erp_a.client("admin").get(URL, {"contract": 99_999_999}).status_code == 404
    assert erp_a.client("admin").get(URL, {"contract": "x"}).status_code == 404


def test_a_message_is_saved_listed_after_an_id_and_counted_unread(erp_a):
    room = room_of(erp_a, "center")
    center, exporter = erp_a.client("center"), erp_a.client("exporter")
    first = center.post(f"{URL}{room}/messages/", {"text": "Llegan 40 qq el lunes"}, format="json")
    assert first.status_code == 201 and first.json()["author"] == erp_a.users["center"].email
    second = center.post(f"{URL}{room}/messages/", {"text": "Humedad 7 %"}, format="json").json()
    missed = exporter.get(f"{URL}{room}/messages/", {"after": first.json()["id"]}).json()
    assert [m["text"] for m in missed] == ["Humedad 7 %"]
    assert exporter.get(f"{URL}{room}/").json()["unread"] == 2
    assert center.get(f"{URL}{room}/").json()["unread"] == 0  # one's own messages are read
    exporter.post(f"{URL}{room}/read/", {"up_to": second["id"]}, format="json")
    assert exporter.get(f"{URL}{room}/").json()["unread"] == 0
    assert erp_a.client("supplier").get(f"{URL}{room}/messages/").status_code == 404


def test_bad_messages_are_refused_with_field_errors_and_nothing_saved(erp_a, settings):
    room = room_of(erp_a, "admin")
    client = erp_a.client("admin")
    settings.CHAT_MESSAGE_MAX_LENGTH = 10
    for body in ({"text": ""}, {"text": "x" * 11}, {"text": "a\x00b"}, {}):
        response = client.post(f"{URL}{room}/messages/", body, format="json")
        assert response.status_code == 400 and "text" in response.json(), (body, response.content)
    with tenant_context(erp_a.company):
        other = document_upload(
            contract=erp_a.contracts["supplier"],
            kind="other",
            uploaded_file=SimpleUploadedFile("x.pdf", minimal_pdf("x")),
            user=erp_a.users["admin"],
        )
        assert ChatMessage.objects.count() == 0
    response = client.post(f"{URL}{room}/messages/", {"text": "ver", "attachment": other.pk}, format="json")
    assert response.status_code == 400 and "attachment" in response.json()
    assert client.get(f"{URL}{room}/messages/", {"after": "abc"}).status_code == 400


def test_an_attachment_is_a_document_of_the_contract(erp_a):
    room = room_of(erp_a, "center")
    with tenant_context(erp_a.company):
        document = document_upload(
            contract=erp_a.contracts["center"],
            kind="invoice",
            uploaded_file=SimpleUploadedFile("factura.pdf", minimal_pdf("f")),
            user=erp_a.users["center"],
        )
    response = erp_a.client("center").post(
        f"{URL}{room}/messages/", {"text": "", "attachment": document.pk}, format="json"
    )
    assert response.status_code == 201 and response.json()["attachment"] == document.pk


@pytest.mark.usefixtures("erp_a")
def test_sending_too_fast_answers_429(erp_a, settings):
    settings.CHAT_RATE_MESSAGES = 2
    room = room_of(erp_a, "exporter")
    client = erp_a.client("exporter")
    codes = [
        client.post(f"{URL}{room}/messages/", {"text": f"m{n}"}, format="json").status_code for n in range(3)
    ]
    assert codes == [201, 201, 429]


def test_rooms_of_company_a_are_not_on_company_b(erp_a, erp_b):
    """Room ids repeat across schemas; B reading its rooms never sees A's messages."""
    room_a, room_b = room_of(erp_a, "admin"), room_of(erp_b, "admin")
    erp_a.client("admin").post(f"{URL}{room_a}/messages/", {"text": "solo A"}, format="json")
    erp_b.client("admin").post(f"{URL}{room_b}/messages/", {"text": "solo B"}, format="json")
    texts = [
        m["text"]
        for r in erp_b.client("admin").get(URL).json()["results"]
        for m in erp_b.client("admin").get(f"{URL}{r['id']}/messages/").json()
    ]
    assert "solo B" in texts and "solo A" not in texts
    a_token_on_b = erp_a.client("admin")
    a_token_on_b.defaults["HTTP_HOST"] = erp_b.host
    assert a_token_on_b.get(f"{URL}{room_a}/messages/").status_code == 401


def test_participants_away_from_the_room_are_notified_those_in_it_are_not(
    erp_a, django_capture_on_commit_callbacks
):
    from erp.notifications.models import Notification
    from erp.notifications.triggers import room_enter, room_leave

    room = room_of(erp_a, "center")
    with tenant_context(erp_a.company):
        Notification.objects.all().delete()
        room_enter(room, erp_a.users["exporter"].pk)  # the exporter has the chat open
    try:
        with django_capture_on_commit_callbacks(execute=True):
            erp_a.client("center").post(
                f"{URL}{room}/messages/", {"text": "¿Llegó el camión?"}, format="json"
            )
    finally:
        with tenant_context(erp_a.company):
            room_leave(room, erp_a.users["exporter"].pk)
    with tenant_context(erp_a.company):
        told = set(Notification.objects.filter(kind="chat_message").values_list("user__email", flat=True))
    assert erp_a.users["admin"].email in told
    assert erp_a.users["exporter"].email not in told and erp_a.users["center"].email not in told
    assert erp_a.users["supplier"].email not in told
