"""A license's limits, checked where something would grow past them: inviting or
reactivating a user, registering or reactivating an IoT device, storing a file. Each check
reads the company's license in force (one query) only on those writes, never on every
request."""

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.utils.translation import gettext as _

from triboka.errors import ApplicationError

from .files import license_for

MB = 1024 * 1024


def _current_license():
    company = getattr(connection, "tenant", None)
    if company is None or not hasattr(company, "licenses"):
        return None  # the public schema or a tenant-less script: no company license applies
    return license_for(company)  # on an on-premise install, the signed file's terms


def users_limit_check(*, adding: int = 1, field: str = "email") -> None:
    """Refuse (a 400 on ``field``) when ``adding`` more active users would pass the
    license's user limit."""
    from support.remote.selectors import support_agent_user_ids  # Triboka support takes no seat
    from triboka.accounts.models import User

    license = _current_license()
    _count_limit_check(
        limit=license and license.max_users,
        count=lambda: User.objects.filter(is_active=True).exclude(pk__in=support_agent_user_ids()).count(),
        adding=adding,
        field=field,
        code="user_limit_reached",
        message=lambda: _(
            "The company's license allows %(limit)d active users and there are %(active)d. "
            "Deactivate a user or ask Triboka for a larger license."
        ),
    )


def iot_devices_limit_check(*, adding: int = 1, field: str = "name") -> None:
    """Refuse (a 400 on ``field``) a device that would take the company past its license's
    IoT-device limit (active devices count)."""
    from iot.models import Device

    license = _current_license()
    _count_limit_check(
        limit=license and license.max_iot_devices,
        count=lambda: Device.objects.filter(is_active=True).count(),
        adding=adding,
        field=field,
        code="iot_device_limit_reached",
        message=lambda: _(
            "The company's license allows %(limit)d active IoT devices and there are %(active)d. "
            "Deactivate a device or ask Triboka for a larger license."
        ),
    )


def _count_limit_check(*, limit: int | None, count, adding: int, field: str, code: str, message) -> None:
    """A limit on how many of something are active: counted (one query) only when there is one."""
    if limit is None:
        return
    active = count()
    if active + adding > limit:
        raise ValidationError({field: message() % {"limit": limit, "active": active}}, code=code)


def storage_used_bytes() -> int:
    from erp.documents.models import Document

    return Document.all_objects.aggregate(total=Sum("size"))["total"] or 0


def storage_limit_check(*, adding_bytes: int) -> None:
    """Refuse with 413 a file that would take the company past its storage limit."""
    license = _current_license()
    if license is None or license.max_storage_mb is None:
        return
    used = storage_used_bytes()
    if used + adding_bytes > license.max_storage_mb * MB:
        raise ApplicationError(
            _(
                "This file would take the company past its license's storage of %(limit)d MB "
                "(%(used).1f MB used). Ask Triboka for more storage."
            )
            % {"limit": license.max_storage_mb, "used": used / MB},
            code="storage_limit_reached",
            status_code=413,
        )
