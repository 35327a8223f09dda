"""The HTTP side of webhooks: which URLs may receive, the signature, one POST.

Server-side request forgery: a subscriber chooses the URL, so a URL could point at our own
network (the database, Redis, a cloud's metadata service at 169.254.169.254). The host is
resolved once per attempt, every address it resolves to must be public, and the request
goes to one of those checked addresses (the name is still sent for TLS and the Host
header), so a name that changes between the check and the connection cannot reach
anything else. With WEBHOOK_ALLOW_INSECURE_LOCALHOST (development and tests) loopback
addresses are allowed too, over http or https; private networks never are.

Redirects are not followed: a 3xx is a failed attempt.
"""

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SIGNATURE_HEADER = "Triboka-Signature"
EXCERPT_BYTES = 2000
USER_AGENT = "Triboka-Webhooks/1.0"


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: a status code, or an error before any answer."""

    status_code: int | None = None
    error: str = ""
    excerpt: str = ""
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the secret>``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _insecure_localhost_allowed() -> bool:
    return settings.WEBHOOK_ALLOW_INSECURE_LOCALHOST


def url_target(url: str) -> Target:
    """The parts of a receiving URL, or a ValidationError saying why it cannot receive."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ValidationError(_("Enter a valid URL.")) from error
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationError(_("Enter a valid URL starting with https://."))
    if parts.username or parts.password:
        raise ValidationError(_("The URL cannot carry a user name or password."))
    if parts.scheme == "http" and not (_insecure_localhost_allowed() and _is_loopback_name(parts.hostname)):
        raise ValidationError(_("The URL must start with https://."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    default_port = 443 if parts.scheme == "https" else 80
    return Target(scheme=parts.scheme, host=parts.hostname, port=port or default_port, path=path)


def _is_loopback_name(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    if address.is_loopback and _insecure_localhost_allowed():
        return False
    return not address.is_global or address.is_multicast


def addresses_checked(target: Target) -> list[str]:
    """The addresses the host resolves to, all of them allowed; else a ValidationError."""
    try:
        found = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ValidationError(_("The host %(host)s could not be found.") % {"host": target.host}) from error
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if any(_refused(ipaddress.ip_address(address.split("%")[0])) for address in addresses):
        raise ValidationError(
            _("The host %(host)s resolves to a private or reserved address, which cannot receive webhooks.")
            % {"host": target.host}
        )
    return addresses


def url_check(url: str) -> None:
    """A URL a subscription may use: https (see the module's notes), public addresses."""
    addresses_checked(url_target(url))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address already checked, whatever the name resolves to now."""

    def __init__(self, target: Target, address: str, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, address: str, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Outcome:
    """One POST of ``body``; never raises for network trouble, the outcome says what happened."""
    started = time.monotonic()
    try:
        target = url_target(url)
        addresses = addresses_checked(target)
    except ValidationError as error:
        return Outcome(error=" ".join(error.messages))
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    error = ""
    for address in addresses:  # the next address only when connecting failed
        connection = connection_class(target, address, timeout)
        try:
            connection.request(
                "POST",
                target.path,
                body=body,
                headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
            )
            response = connection.getresponse()
            excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
            return Outcome(status_code=response.status, excerpt=excerpt, duration_ms=_since(started))
        except ConnectionRefusedError as failure:
            error = _describe(failure, timeout)
        except (OSError, ValueError, http.client.HTTPException) as failure:  # ValueError: a bad path
            return Outcome(error=_describe(failure, timeout), duration_ms=_since(started))
        finally:
            connection.close()
    return Outcome(error=error, duration_ms=_since(started))


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _describe(failure: Exception, timeout: float) -> str:
    if isinstance(failure, TimeoutError):
        return _("No answer within %(seconds)s seconds.") % {"seconds": f"{timeout:g}"}
    return f"{type(failure).__name__}: {failure}"[:500]
