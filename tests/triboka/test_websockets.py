"""Websockets on a company's domain, against daphne with the real Redis channel layer:
host routing, Origin, session and JWT authentication, and per-company groups."""

import asyncio
import json
import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import tenant_context
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from erp.notifications.push import push_to_user
from triboka.accounts.models import User
from triboka.accounts.tokens import LoginSerializer


def _port(site: str) -> int:
    return urlsplit(site).port


async def _open(site: str, host: str, path: str, **options):
    """A websocket to daphne on 127.0.0.1 for ``host`` (no DNS needed for *.localhost)."""
    sock = socket.create_connection(("127.0.0.1", _port(site)))
    return await connect(f"ws://{host}:{_port(site)}{path}", sock=sock, open_timeout=10, **options)


async def _close_code(site, host, path, **options) -> int:
    async with await _open(site, host, path, **options) as ws:
        try:
            await asyncio.wait_for(ws.recv(), 10)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
    pytest.fail("the socket stayed open")


def _user_token(company, email: str) -> str:
    with tenant_context(company):
        return str(LoginSerializer.get_token(User.objects.get(email=email)).access_token)


@pytest.fixture
def live(daphne_site, live_company, django_db_blocker):
    company, logins = live_company
    with django_db_blocker.unblock():
        yield {
            "site": daphne_site,
            "company": company,
            "host": company.primary_domain,
            "logins": logins,
            "token": lambda role: _user_token(company, logins[role]),
        }


def _user_id(live, role: str) -> int:
    with tenant_context(live["company"]):
        return User.objects.get(email=live["logins"][role]).pk


def test_a_jwt_in_the_query_string_opens_the_users_notifications(live):
    token, user_id = live["token"]("center"), _user_id(live, "center")

    async def scenario():
        async with await _open(live["site"], live["host"], f"/ws/notifications/?token={token}") as ws:
            await asyncio.sleep(0.2)  # joined its group
            await asyncio.to_thread(
                push_to_user, schema_name=live["company"].schema_name, user_id=user_id, payload={"n": 1}
            )
            assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"n": 1}

    asyncio.run(scenario())


def test_a_jwt_as_subprotocol_is_accepted_and_echoed(live):
    token = live["token"]("supplier")

    async def scenario():
        async with await _open(
            live["site"], live["host"], "/ws/notifications/", subprotocols=["bearer", token]
        ) as ws:
            assert ws.subprotocol == "bearer"

    asyncio.run(scenario())


def test_a_users_notifications_reach_no_one_else(live, company_a):
    """Not another user of the company, nor the user with the same id in another company."""

    center, supplier = live["token"]("center"), live["token"]("supplier")
    supplier_id = _user_id(live, "supplier")

    async def scenario():
        async with (
            await _open(live["site"], live["host"], f"/ws/notifications/?token={center}") as ws_center,
            await _open(live["site"], live["host"], f"/ws/notifications/?token={supplier}") as ws_supplier,
        ):
            await asyncio.sleep(0.2)
            await asyncio.to_thread(
                push_to_user, schema_name=company_a.schema_name, user_id=supplier_id, payload={"other": 1}
            )
            await asyncio.to_thread(
                push_to_user,
                schema_name=live["company"].schema_name,
                user_id=supplier_id,
                payload={"mine": 1},
            )
            assert json.loads(await asyncio.wait_for(ws_supplier.recv(), 10)) == {"mine": 1}
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(ws_center.recv(), 0.5)

    asyncio.run(scenario())


def test_a_token_of_another_company_is_refused(live, company_a):
    with tenant_context(company_a):
        admin = User.objects.filter(role="admin").first()
        token = str(LoginSerializer.get_token(admin).access_token)
    code = asyncio.run(_close_code(live["site"], live["host"], f"/ws/notifications/?token={token}"))
    assert code == 4401


def test_no_credentials_and_bad_tokens_are_refused(live):
    assert asyncio.run(_close_code(live["site"], live["host"], "/ws/notifications/")) == 4401
    assert asyncio.run(_close_code(live["site"], live["host"], "/ws/notifications/?token=nonsense")) == 4401


def test_an_unknown_path_is_closed_with_4404(live):
    token = live["token"]("center")
    assert asyncio.run(_close_code(live["site"], live["host"], f"/ws/nothing/?token={token}")) == 4404


def test_unknown_hosts_and_the_root_domain_have_no_sockets(live):
    assert asyncio.run(_close_code(live["site"], "nadie.localhost", "/ws/notifications/")) == 4404
    assert asyncio.run(_close_code(live["site"], settings.BASE_DOMAIN, "/ws/notifications/")) == 4404


def _session_cookie(live) -> str:
    client = Client()
    with tenant_context(live["company"]):
        client.force_login(User.objects.get(email=live["logins"]["exporter"]))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def test_the_session_cookie_works_from_the_companys_own_pages_only(live):
    cookie = _session_cookie(live)
    own = f"http://{live['host']}:{_port(live['site'])}"

    async def opens(origin) -> bool:
        headers = {"Cookie": cookie}
        async with await _open(
            live["site"], live["host"], "/ws/notifications/", additional_headers=headers, origin=origin
        ) as ws:
            try:
                await asyncio.wait_for(ws.recv(), 0.5)
            except TimeoutError:
                return True  # open, quiet
            except ConnectionClosed as closed:
                assert closed.rcvd.code == 4403
                return False
        return True

    assert asyncio.run(opens(own)) is True
    assert asyncio.run(opens("http://evil.example")) is False
    assert asyncio.run(opens(None)) is False
