"""Checks for values that end up in configuration files (nginx) as well as in the database:
what passes here cannot carry nginx syntax (no spaces, quotes, semicolons, braces, ``$``)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Lowercase DNS labels (letters, digits, inner hyphens; 1 to 63 characters) joined by dots.
HOST_NAME = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(?:\.(?!-)[a-z0-9-]{1,63}(?<!-))*\Z")
# An absolute path of plain characters, without "..".
SAFE_PATH = re.compile(r"^/[A-Za-z0-9._/-]*\Z")
# host:port (a host name or an IPv4 address) or unix:/absolute/socket/path.
UPSTREAM = re.compile(r"^(?:(?P<host>[a-z0-9.-]+):(?P<port>\d{1,5})|unix:/[A-Za-z0-9._/-]+)\Z")


def host_name_is_valid(value: str) -> bool:
    return isinstance(value, str) and len(value) <= 253 and bool(HOST_NAME.match(value))


def validate_host_name(value: str) -> None:
    if not host_name_is_valid(value):
        raise ValidationError(
            _("Enter a lowercase host name such as triboka.com (letters, digits, hyphens and dots)."),
            code="invalid_host_name",
        )


def path_is_safe(value: str) -> bool:
    return (
        isinstance(value, str)
        and len(value) <= 255
        and bool(SAFE_PATH.match(value))
        and ".." not in value.split("/")
    )


def validate_absolute_path(value: str) -> None:
    if not path_is_safe(value):
        raise ValidationError(
            _("Enter an absolute path of letters, digits, dots, hyphens, underscores and slashes."),
            code="invalid_path",
        )


def upstream_is_valid(value: str) -> bool:
    match = UPSTREAM.match(value) if isinstance(value, str) else None
    if match is None:
        return False
    if match["port"] is None:  # a unix socket
        return path_is_safe(value.removeprefix("unix:"))
    return host_name_is_valid(match["host"]) and 1 <= int(match["port"]) <= 65535


def validate_upstream(value: str) -> None:
    if not upstream_is_valid(value):
        raise ValidationError(
            _("Enter host:port (such as 127.0.0.1:8000) or unix:/path/to/daphne.sock."),
            code="invalid_upstream",
        )


def validate_weekdays(value: str) -> None:
    """ISO weekday digits (1 Monday ... 7 Sunday), each at most once: "12345"."""
    if not value or not set(value) <= set("1234567") or len(set(value)) != len(value):
        raise ValidationError(
            _("Enter ISO weekday numbers, each once: 12345 is Monday to Friday."), code="invalid_weekdays"
        )
