"""Websockets on a company's domain: django-tenants only knows HTTP, so this does for a
websocket what CompanyRoutingMiddleware does for a request.

``CompanyWebsocketMiddleware`` (outermost in asgi.py):
- finds the company from the Host header (the same cached routing as HTTP); unknown hosts
  and suspended companies are closed with 4404 / 4403, the root domain goes to ``root_app``
  (4404 without one);
- checks Origin: a browser page of another site may not open a socket that rides on this
  site's session cookie (a JWT without Origin, as integrators send it, is fine);
- authenticates with the site's session cookie, or a JWT in ``?token=`` or in
  ``Sec-WebSocket-Protocol: bearer, <token>``; the token's schema claim must match the host;
- puts ``company``, ``schema_name`` and ``user`` into the scope; anonymous is closed 4401.

The root domain (the master panel) has sockets for staff only: the middleware hands them,
in the public schema, to the ``root_app`` it was given (asgi.py: a router whose staff paths
sit behind ``StaffWebsocketMiddleware``; every other path is 4404). Staff authenticate with
the public schema's session cookie (Origin must be the root domain) or a staff JWT
(``"schema": "public"``), and must be ``is_staff`` (4403 otherwise).

Database work of a consumer goes through ``in_company`` so it runs in the company's schema
(public on the root domain) whatever thread the sync pool hands it. Channel-layer group
names come from ``group_name(schema, ...)`` so two companies never share a group.
"""

from functools import wraps
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from master.companies.routing import host_without_port, root_hosts, route_for_host
from master.licensing.enforcement import license_refusal

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
BEARER = "bearer"


def group_name(schema_name: str, *parts) -> str:
    """A channel-layer group of one company: ``<schema>.contract.12``."""
    return ".".join([schema_name, *map(str, parts)])


def _schema_of(company):
    return tenant_context(company) if company is not None else schema_context(get_public_schema_name())


def in_company(function):
    """Run a consumer's sync database function in the scope's company schema (the public
    schema for a root-domain socket)."""

    @wraps(function)
    def wrapper(self, *args, **kwargs):
        with _schema_of(self.scope.get("company")):
            return function(self, *args, **kwargs)

    return database_sync_to_async(wrapper)


def _headers(scope) -> dict[str, str]:
    return {
        name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers", [])
    }


def bearer_token(scope) -> tuple[str | None, bool]:
    """The JWT of a connection and whether it came as a subprotocol (to be echoed)."""
    protocols = [p.strip() for p in scope.get("subprotocols") or []]
    if BEARER in protocols and protocols.index(BEARER) + 1 < len(protocols):
        return protocols[protocols.index(BEARER) + 1], True
    token = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [None])[0]
    return token, False


@database_sync_to_async
def _route(hostname: str):
    return route_for_host(hostname)


@database_sync_to_async
def _authenticate(company, session_key: str | None, token: str | None):
    """The user of a JWT (checked against this company, or the root when ``company`` is
    None) or of a session, else anonymous."""
    from django.contrib.auth import get_user
    from django.utils.module_loading import import_string
    from rest_framework.exceptions import AuthenticationFailed
    from rest_framework_simplejwt.exceptions import InvalidToken

    from triboka.accounts.authentication import CompanyJWTAuthentication

    with _schema_of(company):
        if token:
            authentication = CompanyJWTAuthentication()
            try:
                return authentication.get_user(authentication.get_validated_token(token.encode()))
            except (InvalidToken, AuthenticationFailed):
                return AnonymousUser()
        if session_key:
            store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(session_key)

            class _Request:  # what django.contrib.auth.get_user reads
                session = store

            if store.get("support_remote_grant") is not None:
                return AnonymousUser()  # support sessions are HTTP only: each request is audited
            user = get_user(_Request())
            return user if user.is_active else AnonymousUser()
    return AnonymousUser()


def _origin_allowed(origin: str | None, hostname: str, company) -> bool:
    if origin is None:
        return True
    origin_host = host_without_port(urlsplit(origin).netloc)
    return origin_host == hostname or origin_host in {d.domain for d in company.domains.all()}


def _license_refuses(route, scope) -> bool:
    """The license's refusals of a page apply to a socket too (a module not licensed, an
    expired or suspended license)."""
    path = "/" + scope["path"].lstrip("/")
    return license_refusal(route.license, path=path, method="GET", today=timezone.localdate()) is not None


class CompanyWebsocketMiddleware:
    def __init__(self, app, root_app=None):
        self.app = app
        self.root_app = root_app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.app(scope, receive, send)
        headers = _headers(scope)
        hostname = host_without_port(headers.get("host", ""))
        route = await _route(hostname)
        if route is not None and route.is_root and self.root_app is not None:
            scope = {
                **scope,
                "company": None,
                "schema_name": get_public_schema_name(),
                "user": AnonymousUser(),
            }
            return await self.root_app(scope, receive, send)
        if route is None or route.is_root:
            return await close_before_use(receive, send, CLOSE_NOT_FOUND)
        company = route.company
        if company.is_suspended or _license_refuses(route, scope):
            return await close_before_use(receive, send, CLOSE_FORBIDDEN)
        token, as_subprotocol = bearer_token(scope)
        cookies = SimpleCookie(headers.get("cookie", ""))
        session = cookies.get(settings.SESSION_COOKIE_NAME)
        origin = headers.get("origin")
        if not await database_sync_to_async(_origin_allowed)(origin, hostname, company):
            return await close_before_use(receive, send, CLOSE_FORBIDDEN)
        if token is None and session is not None and origin is None:
            return await close_before_use(receive, send, CLOSE_FORBIDDEN)  # cookies need an Origin
        user = await _authenticate(company, session.value if session else None, token)
        if not user.is_authenticated:
            return await close_before_use(receive, send, CLOSE_UNAUTHENTICATED)
        scope = {
            **scope,
            "company": company,
            "schema_name": company.schema_name,
            "user": user,
            "subprotocol": BEARER if as_subprotocol else None,
        }
        return await self.app(scope, receive, send)


class StaffWebsocketMiddleware:
    """The root domain's staff sockets: public-schema session (from a root-domain page) or
    staff JWT, and ``is_staff``; anonymous is closed 4401, anyone else 4403. Mounted in a
    URLRouter under a path prefix (``_path_routing``), so the root's other paths stay 4404."""

    _path_routing = True

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        headers = _headers(scope)
        token, as_subprotocol = bearer_token(scope)
        session = SimpleCookie(headers.get("cookie", "")).get(settings.SESSION_COOKIE_NAME)
        origin = headers.get("origin")
        if origin is not None and host_without_port(urlsplit(origin).netloc) not in root_hosts():
            return await close_before_use(receive, send, CLOSE_FORBIDDEN)
        if token is None and session is not None and origin is None:
            return await close_before_use(receive, send, CLOSE_FORBIDDEN)  # cookies need an Origin
        user = await _authenticate(None, session.value if session else None, token)
        if not user.is_authenticated:
            return await close_before_use(receive, send, CLOSE_UNAUTHENTICATED)
        if not user.is_staff:
            return await close_before_use(receive, send, CLOSE_FORBIDDEN)
        scope = {**scope, "user": user, "subprotocol": BEARER if as_subprotocol else None}
        return await self.app(scope, receive, send)


async def close_before_use(receive, send, code: int) -> None:
    """Accept, then close with ``code``: a handshake refused outright reaches the client as
    a bare HTTP 403, without the reason a close code carries."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": code})


class NoSuchSocket(AsyncWebsocketConsumer):
    """The last route: any other path is closed with 4404, not a server error."""

    async def connect(self):
        await self.accept()
        await self.close(code=CLOSE_NOT_FOUND)
