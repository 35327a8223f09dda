"""Writes on instances: register one (its credentials are shown once), issue it a new key,
edit it, and take in its signed heartbeats.

A heartbeat is a JSON body signed as it is sent: the ``X-Triboka-Signature`` header holds
the base64 Ed25519 signature of the exact body bytes, made with the instance's private key.
The body names the instance (``instance``, its id) and the moment it was sent (``sent_at``);
the master refuses it (401) when the signature does not match the instance's public key, when
``sent_at`` is more than INSTANCE_HEARTBEAT_MAX_SKEW_SECONDS away from its clock, or when it is
not newer than the last one taken (a replay).
"""

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidSignature
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from master.licensing.files import keypair_generate, public_key_load
from triboka.errors import ApplicationError

from .models import Instance

SIGNATURE_HEADER = "X-Triboka-Signature"
MAX_HEARTBEAT_BYTES = 64 * 1024
EDITABLE_FIELDS = ("name", "license", "is_active")


@dataclass(frozen=True)
class Credentials:
    """What an installation needs to sign its heartbeats; the private key is not stored."""

    instance: Instance
    private_key: str

    @property
    def settings(self) -> dict[str, str]:
        return {"TRIBOKA_INSTANCE_ID": str(self.instance.uid), "TRIBOKA_INSTANCE_KEY": self.private_key}


def _saved(instance: Instance, fields=None) -> Instance:
    instance.full_clean()
    instance.save(update_fields=fields)
    return instance


def instance_register(*, name: str, license=None, registered_by: str = "") -> Credentials:
    """A new instance and its key pair: the master keeps the public half."""
    private_key, public_key = keypair_generate()
    instance = Instance(
        name=name.strip(), license=license, public_key=public_key, registered_by=registered_by
    )
    return Credentials(instance=_saved(instance), private_key=private_key)


def instance_key_rotate(*, instance: Instance) -> Credentials:
    """A new key pair for an installation that lost its key (or had it exposed); the old
    key stops working at once."""
    private_key, instance.public_key = keypair_generate()
    return Credentials(instance=_saved(instance, ["public_key"]), private_key=private_key)


def instance_update(*, instance: Instance, **changes) -> Instance:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    for field, value in changes.items():
        setattr(instance, field, value)
    return _saved(instance, list(changes) or None)


# --- heartbeats ------------------------------------------------------------------------


def _refused(message: str) -> ApplicationError:
    return ApplicationError(message, code="heartbeat_refused", status_code=401)


def heartbeat_authenticate(*, body: bytes, signature: str) -> tuple[Instance, dict]:
    """The active instance that signed ``body``, and the body's JSON; 401 otherwise."""
    if len(body) > MAX_HEARTBEAT_BYTES:
        raise ValidationError(_("A heartbeat is at most %(size)d bytes.") % {"size": MAX_HEARTBEAT_BYTES})
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ValidationError(_("A heartbeat is a JSON object."))
    try:
        uid = uuid.UUID(str(data.get("instance") or ""))
    except ValueError:
        raise ValidationError({"instance": _("The instance id (a UUID) the master gave.")}) from None
    instance = Instance.objects.select_related("license").filter(uid=uid, is_active=True).first()
    if instance is None:
        raise _refused(_("No active instance has this id."))
    try:
        raw_signature = base64.b64decode(signature or "", validate=True)
        public_key_load(instance.public_key).verify(raw_signature, body)
    except (InvalidSignature, binascii.Error, ValueError):
        raise _refused(
            _("The %(header)s header is not this instance's signature of the body.")
            % {"header": SIGNATURE_HEADER}
        ) from None
    return instance, data


@transaction.atomic
def heartbeat_record(
    *, instance: Instance, sent_at: datetime, version: str, license: dict, health: dict, now=None
) -> Instance:
    """Take an authenticated heartbeat: refused when it is too old, too far ahead, or not
    newer than the last one (so a captured heartbeat cannot be sent again)."""
    now = now or timezone.now()
    skew = timedelta(seconds=settings.INSTANCE_HEARTBEAT_MAX_SKEW_SECONDS)
    if not now - skew <= sent_at <= now + skew:
        raise _refused(
            _(
                "The heartbeat was sent at %(sent)s, more than %(seconds)d seconds from the master's "
                "clock (%(now)s). Check the installation's clock."
            )
            % {
                "sent": sent_at.isoformat(),
                "seconds": settings.INSTANCE_HEARTBEAT_MAX_SKEW_SECONDS,
                "now": now.isoformat(),
            }
        )
    instance = Instance.objects.select_for_update().get(pk=instance.pk)
    if instance.last_sent_at is not None and sent_at <= instance.last_sent_at:
        raise _refused(_("This heartbeat is not newer than the last one received; it is not taken twice."))
    instance.last_heartbeat_at, instance.last_sent_at = now, sent_at
    instance.reported_version = version
    instance.reported_license_code = license.get("code", "")
    instance.reported_license_state = license.get("state", "")
    instance.reported_healthy = bool(health.get("healthy"))
    instance.reported_health = health.get("checks", {})
    instance.save(
        update_fields=[
            "last_heartbeat_at",
            "last_sent_at",
            "reported_version",
            "reported_license_code",
            "reported_license_state",
            "reported_healthy",
            "reported_health",
        ]
    )
    return instance
