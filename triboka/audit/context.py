"""The request an audit event happens in, so services record who and from where without
being handed the request.

The middleware puts the request in a context variable (one per request, also under ASGI);
outside a request (Celery tasks, management commands) there is none and the actor is the
system.
"""

import ipaddress
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

USER_AGENT_MAX_LENGTH = 300


@dataclass(frozen=True)
class RequestContext:
    request: object  # the HttpRequest; its user is read when an event is recorded
    schema: str  # the site's schema, where the request's user lives
    ip: str | None
    user_agent: str
    request_id: str


_current: ContextVar[RequestContext | None] = ContextVar("audit_request", default=None)


def current() -> RequestContext | None:
    return _current.get()


def client_ip(request) -> str | None:
    """The client's address: the socket's, or with NUM_PROXIES trusted proxies in front, the
    address the outermost of them saw (counted from the right of X-Forwarded-For, like the
    login throttle; the leftmost entries are whatever the client sent)."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            address = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def context_enter(request) -> object:
    """Make ``request`` the current one; returns the token for ``context_exit``."""
    return _current.set(
        RequestContext(
            request=request,
            schema=connection.schema_name,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX_LENGTH],
            request_id=uuid.uuid4().hex,
        )
    )


def context_exit(token) -> None:
    _current.reset(token)
