"""The contract chat live: websocket clients against daphne with the Redis channel layer."""

import asyncio
import http.client
import json
from urllib.parse import urlsplit

import pytest
from django_tenants.utils import tenant_context

from erp.access import contracts_visible_to
from erp.chat.models import ChatMessage
from erp.contracts.models import Contract
from tests.triboka.test_websockets import _close_code, _open, _user_token
from triboka.accounts.models import User


@pytest.fixture
def chat(daphne_site, live_company, django_db_blocker):
    """A contract of the center's partner, tokens of three users, and the room's path."""
    company, logins = live_company
    with django_db_blocker.unblock(), tenant_context(company):
        center = User.objects.get(email=logins["center"])
        supplier = User.objects.get(email=logins["supplier"])
        contract = contracts_visible_to(center, Contract.objects.all()).order_by("pk").first()
        assert not contracts_visible_to(supplier, Contract.objects.filter(pk=contract.pk)).exists()
        yield {
            "site": daphne_site,
            "host": company.primary_domain,
            "company": company,
            "contract": contract,
            "path": f"/ws/contracts/{contract.pk}/chat/",
            "tokens": {
                role: _user_token(company, logins[role]) for role in ("center", "exporter", "supplier")
            },
        }


async def _next_message(ws) -> dict:
    while True:
        data = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if "message" in data or "error" in data:
            return data


def test_participants_receive_each_message_once_it_is_saved(chat, django_db_blocker):
    tokens, path = chat["tokens"], chat["path"]

    async def scenario():
        async with (
            await _open(chat["site"], chat["host"], f"{path}?token={tokens['center']}") as center,
            await _open(chat["site"], chat["host"], f"{path}?token={tokens['exporter']}") as exporter,
        ):
            await asyncio.sleep(0.3)
            await center.send(json.dumps({"text": "¿Cuándo despachan?"}))
            heard = [await _next_message(center), await _next_message(exporter)]
            await center.send(json.dumps({"text": ""}))
            refused = await _next_message(center)
            await center.send(json.dumps({"type": "read", "up_to": "many"}))
            bad_read = await _next_message(center)
            await center.send("[1, 2]")
            not_an_object = json.loads(await asyncio.wait_for(center.recv(), 10))
            return heard, refused, bad_read, not_an_object

    heard, refused, bad_read, not_an_object = asyncio.run(scenario())
    assert heard[0] == heard[1] and heard[0]["message"]["text"] == "¿Cuándo despachan?"
    assert "text" in refused["error"] and "up_to" in bad_read["error"] and "error" in not_an_object
    with django_db_blocker.unblock(), tenant_context(chat["company"]):
        saved = ChatMessage.objects.get(pk=heard[0]["message"]["id"])  # saved before it was broadcast
        assert saved.text == "¿Cuándo despachan?" and saved.room.contract_id == chat["contract"].pk


def test_someone_elses_contract_is_4403_and_an_unknown_one_4404(chat):
    supplier = chat["tokens"]["supplier"]
    assert asyncio.run(_close_code(chat["site"], chat["host"], f"{chat['path']}?token={supplier}")) == 4403
    unknown = f"/ws/contracts/99999999/chat/?token={chat['tokens']['center']}"
    assert asyncio.run(_close_code(chat["site"], chat["host"], unknown)) == 4404


def test_a_reconnecting_client_reads_what_it_missed(chat):
    """Messages sent while a participant was away come back with ?after=<last id seen>."""
    tokens, path = chat["tokens"], chat["path"]

    async def scenario():
        async with await _open(chat["site"], chat["host"], f"{path}?token={tokens['exporter']}") as exporter:
            await asyncio.sleep(0.3)
            await exporter.send(json.dumps({"text": "primero"}))
            last_seen = (await _next_message(exporter))["message"]["id"]
        async with await _open(chat["site"], chat["host"], f"{path}?token={tokens['center']}") as center:
            await asyncio.sleep(0.3)
            for text in ("segundo", "tercero"):
                await center.send(json.dumps({"text": text}))
                await _next_message(center)
        return last_seen

    last_seen = asyncio.run(scenario())
    connection = http.client.HTTPConnection("127.0.0.1", urlsplit(chat["site"]).port, timeout=10)
    connection.request(
        "GET",
        f"/api/v1/chats/?contract={chat['contract'].pk}",
        headers={"Host": chat["host"], "Authorization": f"Bearer {tokens['exporter']}"},
    )
    room = json.loads(connection.getresponse().read())[0]["id"]
    connection.request(
        "GET",
        f"/api/v1/chats/{room}/messages/?after={last_seen}",
        headers={"Host": chat["host"], "Authorization": f"Bearer {tokens['exporter']}"},
    )
    missed = [m["text"] for m in json.loads(connection.getresponse().read())]
    assert missed[-2:] == ["segundo", "tercero"] and "primero" not in missed


def test_a_room_left_idle_keeps_its_sockets(chat):
    """The channel layer waits on Redis with a 5 s blocking pop: a socket idle for longer
    stays open and still receives (redis-py 8's default read timeout used to close it)."""
    tokens, path = chat["tokens"], chat["path"]

    async def scenario():
        async with (
            await _open(chat["site"], chat["host"], f"{path}?token={tokens['center']}") as center,
            await _open(chat["site"], chat["host"], f"{path}?token={tokens['exporter']}") as exporter,
        ):
            await asyncio.sleep(7)
            await center.send(json.dumps({"text": "Seguimos aquí"}))
            return [await _next_message(center), await _next_message(exporter)]

    heard = asyncio.run(scenario())
    assert [data["message"]["text"] for data in heard] == ["Seguimos aquí"] * 2


def test_a_license_without_the_chat_closes_its_rooms_4403(chat, django_db_blocker):
    from master.licensing.models import Module

    license = chat["company"].licenses.get()
    with django_db_blocker.unblock():
        license.modules = [module for module in Module.values if module != Module.CHAT]
        license.save()  # the live server's routes are dropped through the Redis generation
    try:
        code = asyncio.run(
            _close_code(chat["site"], chat["host"], f"{chat['path']}?token={chat['tokens']['center']}")
        )
        assert code == 4403
    finally:
        with django_db_blocker.unblock():
            license.modules = list(Module.values)
            license.save()
