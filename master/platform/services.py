"""System settings: one row in the public schema, read anywhere through ``system_settings()``.

Reads are cheap: a short per-process memo (SYSTEM_SETTINGS_MEMO_SECONDS), then Django's cache
(Redis, shared by every process), then the database. Any save of the row (the admin, the
master API, this module) clears the memo and the shared cache entry at once and again after
commit (signals.py), so every process reads the new values within the memo's seconds.
"""

import datetime
import logging
import time
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS
from django.core.cache.backends.base import BaseCache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from .models import SINGLETON_PK, SystemSettings

logger = logging.getLogger(__name__)

SUPPORT_FIELDS = (
    *(f"sla_first_response_hours_{priority}" for priority in ("low", "normal", "high", "urgent")),
    *(f"sla_resolution_hours_{priority}" for priority in ("low", "normal", "high", "urgent")),
    "support_reopen_days",
    "support_chat_wait_minutes",
    "support_hours_start",
    "support_hours_end",
    "support_weekdays",
)
EDITABLE_FIELDS = (
    "base_domain",
    "support_email",
    "default_max_users",
    "default_max_api_calls_month",
    "default_max_storage_mb",
    "default_max_iot_devices",
    "license_grace_days",
    "tls_certificate_dir",
    "acme_webroot",
    "upstream",
    *SUPPORT_FIELDS,
)
CACHE_KEY = "platform:system-settings"
# Only a backstop: saves clear the entry. It bounds how long a value read just before a
# concurrent save committed can outlive that save.
CACHE_SECONDS = 600


@dataclass(frozen=True)
class SystemSettingsValues:
    """The system settings as the rest of the code reads them, detached from the database."""

    base_domain: str
    support_email: str
    default_max_users: int | None  # None: unlimited
    default_max_api_calls_month: int | None
    default_max_storage_mb: int | None
    default_max_iot_devices: int | None
    license_grace_days: int
    tls_certificate_dir: str
    acme_webroot: str
    upstream: str
    sla_first_response_hours_low: int
    sla_first_response_hours_normal: int
    sla_first_response_hours_high: int
    sla_first_response_hours_urgent: int
    sla_resolution_hours_low: int
    sla_resolution_hours_normal: int
    sla_resolution_hours_high: int
    sla_resolution_hours_urgent: int
    support_reopen_days: int
    support_chat_wait_minutes: int
    support_hours_start: datetime.time
    support_hours_end: datetime.time
    support_weekdays: str

    def sla_hours(self, priority: str) -> tuple[int, int]:
        """(first response, resolution) targets in hours for a ticket priority."""
        return (
            getattr(self, f"sla_first_response_hours_{priority}"),
            getattr(self, f"sla_resolution_hours_{priority}"),
        )

    def support_is_open(self, moment: datetime.datetime) -> bool:
        """Whether live support is staffed at ``moment`` (in the platform's time zone)."""
        local = timezone.localtime(moment)
        if str(local.isoweekday()) not in self.support_weekdays:
            return False
        return self.support_hours_start <= local.time() < self.support_hours_end

    @property
    def default_license_limits(self) -> dict[str, int | None]:
        """The limits a new license starts with, keyed like License's fields."""
        return {
            "max_users": self.default_max_users,
            "max_api_calls_month": self.default_max_api_calls_month,
            "max_storage_mb": self.default_max_storage_mb,
            "max_iot_devices": self.default_max_iot_devices,
        }


_memo: dict = {"values": None, "until": 0.0}
_shared: dict = {"params": None, "cache": None}


def system_settings(*, fresh: bool = False) -> SystemSettingsValues:
    """The current system settings, in any schema; never writes to the database.

    ``fresh`` reads the row itself (and refreshes the cache), for the few callers that
    must not act on a value up to SYSTEM_SETTINGS_MEMO_SECONDS old, such as render_nginx.
    """
    if fresh:
        _memo.update(values=None, until=0.0)
    stored = _stored_values(fresh=fresh)
    missing = [field for field in EDITABLE_FIELDS if field not in stored]
    if missing:  # no row yet: the defaults, read from the environment now
        defaults = SystemSettings()
        stored = {**{field: getattr(defaults, field) for field in missing}, **stored}
    return SystemSettingsValues(**{field: stored[field] for field in EDITABLE_FIELDS})


def system_settings_row() -> SystemSettings:
    """The row itself, for the admin and the master API; created with the defaults the
    first time it is asked for."""
    row, _created = SystemSettings.objects.get_or_create(pk=SINGLETON_PK)
    return row


def system_settings_update(**changes) -> SystemSettings:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    row = system_settings_row()
    for field, value in changes.items():
        setattr(row, field, value)
    row.full_clean()
    row.save(update_fields=[*changes, "updated_at"])
    return row


def system_settings_cache_clear() -> None:
    """Forget the settings in this process now and in the shared cache (other processes
    drop their memo within SYSTEM_SETTINGS_MEMO_SECONDS)."""
    _memo.update(values=None, until=0.0)
    _cache_call("delete", CACHE_KEY)


def public_schema_key(key: str, key_prefix: str, version: int) -> str:
    """django_tenants.cache.make_key as it builds keys in the public schema."""
    return f"{get_public_schema_name()}:{key_prefix}:{version}:{key}"


def _shared_cache() -> BaseCache:
    """Django's default cache store, under keys that do not depend on the active schema.

    The default cache's KEY_FUNCTION (django_tenants.cache.make_key) starts every key with
    the connection's schema: settings read during a company's request would be cached under
    that company's prefix, once per company, and a save in the master panel (public schema)
    would not clear those copies. This is a second handle on the same store (same backend,
    location and options) whose keys always carry the public schema's name.
    """
    params = settings.CACHES[DEFAULT_CACHE_ALIAS]
    if _shared["params"] is not params:  # first use, or the tests changed CACHES
        options = {**params, "KEY_FUNCTION": public_schema_key}
        backend = import_string(options.pop("BACKEND"))
        _shared.update(params=params, cache=backend(options.pop("LOCATION", ""), options))
    return _shared["cache"]


def _stored_values(*, fresh: bool = False) -> dict:
    """The row's values ({} while there is no row): memo, else shared cache, else database."""
    now = time.monotonic()
    if _memo["values"] is not None and _memo["until"] > now:
        return _memo["values"]
    values = None if fresh else _cache_call("get", CACHE_KEY)
    if values is None:
        values = SystemSettings.objects.filter(pk=SINGLETON_PK).values(*EDITABLE_FIELDS).first() or {}
        _cache_call("set", CACHE_KEY, values, CACHE_SECONDS)
    _memo.update(values=values, until=now + settings.SYSTEM_SETTINGS_MEMO_SECONDS)
    return values


def _cache_call(method: str, *args):
    """A call on the shared cache; None while Redis is unreachable (the database answers)."""
    try:
        return getattr(_shared_cache(), method)(*args)
    except redis.RedisError as error:
        logger.warning("System settings cache unavailable (%s).", error.__class__.__name__)
        return None
