"""The live chat over websockets, against daphne with the real Redis channel layer: a company
user and staff on the root domain talk; nobody else joins a chat; the root domain's sockets
are for staff only (session from the root's own pages, or a staff JWT)."""

import asyncio
import json
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import tenant_context
from rest_framework_simplejwt.tokens import AccessToken
from websockets.exceptions import ConnectionClosed

from master.companies.models import Company
from support.livechat.models import Chat
from support.tickets.models import Ticket
from tests.conftest import COMPANY_A, STAFF_EMAIL
from tests.triboka.test_websockets import _close_code, _open, _user_token
from triboka.accounts.models import User
from triboka.accounts.tokens import COMPANY_CLAIM, SCHEMA_CLAIM, LoginSerializer

from .conftest import start_chat


def _public_token(user) -> str:
    return str(LoginSerializer.get_token(user).access_token)  # issued in the public schema: a staff token


@pytest.fixture
def live(daphne_site, live_company, django_db_blocker):
    """A committed chat of the live company's exporter, and the tokens to reach it (outside
    any test transaction: the live server reads them)."""
    company, logins = live_company
    with django_db_blocker.unblock():
        company_a = Company.objects.get(slug=COMPANY_A.slug)
        with tenant_context(company):
            requester = User.objects.get(email=logins["exporter"])
        chat = start_chat(company, requester, "Hola desde el navegador")
        staff = User.objects.get(email=STAFF_EMAIL)
        yield {
            "site": daphne_site,
            "host": company.primary_domain,
            "root": settings.BASE_DOMAIN,
            "company": company,
            "chat": chat,
            "requester": _user_token(company, logins["exporter"]),
            "colleague": _user_token(company, logins["center"]),
            "other_company": _user_token(company_a, COMPANY_A.user_email),
            "other_host": company_a.primary_domain,
            "staff": _public_token(staff),
            "staff_user": staff,
        }
        Chat.objects.filter(company=company).delete()
        Ticket.objects.filter(company=company).delete()


async def _until(ws, wanted) -> dict:
    """The next frame for which ``wanted(data)`` holds (frames before it are skipped)."""
    while True:
        data = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if wanted(data):
            return data


def _status(status):
    return lambda data: data.get("chat", {}).get("status") == status


def _message(body):
    return lambda data: data.get("message", {}).get("body") == body


def test_a_company_user_and_staff_talk_over_websockets(live):
    site, chat, staff, requester = live["site"], live["chat"], live["staff"], live["requester"]
    requester_path = f"/ws/support/chats/{chat.pk}/?token={requester}"

    async def scenario():
        async with (
            await _open(site, live["root"], f"/ws/support/staff/?token={staff}") as waiting_list,
            await _open(site, live["host"], requester_path) as company_side,
            await _open(site, live["root"], f"/ws/support/staff/chats/{chat.pk}/?token={staff}") as console,
        ):
            listed = await _until(waiting_list, lambda data: "chats" in data)
            joined = [await _until(ws, lambda data: "messages" in data) for ws in (company_side, console)]
            await console.send(json.dumps({"text": "Buenos días, soy de soporte"}))
            answered = await _until(company_side, _message("Buenos días, soy de soporte"))
            taken = await _until(company_side, lambda data: "chat" in data)
            await company_side.send(json.dumps({"text": "Gracias"}))
            thanked = await _until(console, _message("Gracias"))
            summary = await _until(waiting_list, lambda data: data.get("chat", {}).get("id") == chat.pk)
            await console.send(json.dumps({"action": "convert"}))
            converted = await _until(company_side, _status("converted"))
            return listed, joined, answered, taken, thanked, summary, converted

    listed, joined, answered, taken, thanked, summary, converted = asyncio.run(scenario())
    assert chat.pk in [row["id"] for row in listed["chats"]]
    assert all(data["messages"][0]["body"] == "Hola desde el navegador" for data in joined)
    assert answered["message"]["author_kind"] == "staff" and taken["chat"]["status"] == "active"
    assert thanked["message"]["author_kind"] == "requester"
    assert summary["chat"]["company"] == live["company"].name
    ticket = Ticket.objects.get(chats=chat)
    assert converted["chat"]["ticket"] == {"number": ticket.number, "url": f"/support/tickets/{ticket.pk}/"}
    transcript = ticket.messages.get().body
    assert "Buenos días, soy de soporte" in transcript and "Gracias" in transcript


def test_no_one_but_its_requester_and_staff_joins_a_chat(live):
    site, host, root, pk = live["site"], live["host"], live["root"], live["chat"].pk

    def code(on_host, path):
        return asyncio.run(_close_code(site, on_host, path))

    assert code(host, f"/ws/support/chats/{pk}/?token={live['colleague']}") == 4404  # same company
    assert code(live["other_host"], f"/ws/support/chats/{pk}/?token={live['other_company']}") == 4404
    assert code(host, f"/ws/support/chats/{pk}/") == 4401  # anonymous
    assert code(host, f"/ws/support/chats/{pk}/?token={live['staff']}") == 4401  # a root token
    assert code(host, f"/ws/support/staff/chats/{pk}/?token={live['requester']}") == 4404  # no such route
    assert code(root, f"/ws/support/staff/chats/{pk}/?token={live['requester']}") == 4401
    assert code(root, "/ws/support/staff/") == 4401
    assert code(root, f"/ws/support/staff/chats/99999999/?token={live['staff']}") == 4404
    assert code(root, f"/ws/support/nothing/?token={live['staff']}") == 4404


def test_a_public_user_who_is_not_staff_is_refused(live):
    plain = User.objects.create_user("not-staff@triboka.test", "x")
    try:
        token = AccessToken.for_user(plain)  # no outstanding-token row to clean up
        token[SCHEMA_CLAIM], token[COMPANY_CLAIM] = "public", None
        path = f"/ws/support/staff/?token={token}"
        assert asyncio.run(_close_code(live["site"], live["root"], path)) == 4403
    finally:
        # delete() would look for the user's rows in tenant tables, which public lacks
        User.objects.filter(pk=plain.pk)._raw_delete(using="default")


def test_the_staff_session_cookie_works_from_the_root_domains_pages_only(live):
    client = Client()
    client.force_login(live["staff_user"])  # a session of the public schema
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    port = urlsplit(live["site"]).port

    async def opens(origin) -> bool:
        headers = {"Cookie": cookie}
        async with await _open(
            live["site"], live["root"], "/ws/support/staff/", additional_headers=headers, origin=origin
        ) as ws:
            try:
                return "chats" in json.loads(await asyncio.wait_for(ws.recv(), 10))
            except ConnectionClosed as closed:
                assert closed.rcvd.code == 4403
                return False

    assert asyncio.run(opens(f"http://{live['root']}:{port}")) is True
    assert asyncio.run(opens(f"http://{live['host']}:{port}")) is False  # a company's page
    assert asyncio.run(opens(None)) is False
