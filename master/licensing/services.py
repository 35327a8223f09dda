"""Writes on licenses: issue, edit, assign to a company, renew, extend, suspend.

Django Admin and the master API both call these; each raises ValidationError keyed by field
for bad input, and saves nothing then.
"""

import calendar
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from triboka.audit.models import AuditAction
from triboka.audit.services import audit_record, audit_record_changes, stored_values

from .models import BillingPeriod, License, LicenseStatus

EDITABLE_FIELDS = (
    "type",
    "modules",
    "max_users",
    "max_api_calls_month",
    "max_storage_mb",
    "max_iot_devices",
    "starts_on",
    "expires_on",
    "auto_renew",
    "price_usd",
    "billing_period",
)
MAX_EXTENSION_DAYS = 3650


def _saved(license: License, fields=None) -> License:
    license.full_clean()
    license.save(update_fields=[*fields, "updated_at"] if fields else None)
    return license


def _recorded(license: License, action: str, *, before: dict, after: dict) -> License:
    """Licenses are the platform's: audited in the public schema, under their company."""
    audit_record_changes(
        action=action, target=license, company=license.company, before=before, after=after, platform=True
    )
    return license


def license_issue(*, company, license_type: str, **fields) -> License:
    """A new license, for ``company`` or unassigned (``company=None``); limits not given are
    the system settings' defaults."""
    from master.platform.services import system_settings

    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be set.") for field in unknown})
    fields = {**system_settings().default_license_limits, **fields}
    fields.setdefault("starts_on", timezone.localdate())
    license = _saved(License(company=company, type=license_type, **fields))
    audit_record(
        action=AuditAction.LICENSE_ISSUED,
        target=license,
        company=company,
        after={field: getattr(license, field) for field in EDITABLE_FIELDS},
        platform=True,
    )
    return license


def license_update(*, license: License, **changes) -> License:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    before = stored_values(license, list(changes))  # the admin's form has set them on ``license``
    for field, value in changes.items():
        setattr(license, field, value)
    _saved(license, list(changes))
    return _recorded(license, AuditAction.LICENSE_UPDATED, before=before, after=changes)


@transaction.atomic
def license_assign(*, license: License, company) -> License:
    """Give the license to ``company`` (it may move from another company)."""
    before = stored_values(license, ["company__slug"]).get("company__slug")
    license.company = company
    _saved(license, ["company"])
    after = company.slug if company else None
    return _recorded(
        license, AuditAction.LICENSE_ASSIGNED, before={"company": before}, after={"company": after}
    )


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def license_renew(*, license: License, today: date | None = None) -> License:
    """One more billing period, from the expiry or from today if it has already passed."""
    if license.expires_on is None:
        raise ValidationError({"expires_on": _("This license does not expire; there is nothing to renew.")})
    start = max(license.expires_on, today or timezone.localdate())
    months = 12 if license.billing_period == BillingPeriod.YEARLY else 1
    before = {"expires_on": license.expires_on}
    license.expires_on = add_months(start, months)
    _saved(license, ["expires_on"])
    return _recorded(
        license, AuditAction.LICENSE_RENEWED, before=before, after={"expires_on": license.expires_on}
    )


def license_extend(*, license: License, days: int) -> License:
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationError({"days": _("Extend by 1 to %(max)d days.") % {"max": MAX_EXTENSION_DAYS}})
    if license.expires_on is None:
        raise ValidationError({"expires_on": _("This license does not expire; there is nothing to extend.")})
    before = {"expires_on": license.expires_on}
    license.expires_on += timedelta(days=days)
    _saved(license, ["expires_on"])
    return _recorded(
        license, AuditAction.LICENSE_EXTENDED, before=before, after={"expires_on": license.expires_on}
    )


def license_suspend(*, license: License) -> License:
    before = {"status": license.status}
    license.status = LicenseStatus.SUSPENDED
    _saved(license, ["status"])
    return _recorded(license, AuditAction.LICENSE_SUSPENDED, before=before, after={"status": license.status})


def license_reactivate(*, license: License) -> License:
    before = {"status": license.status}
    license.status = LicenseStatus.ACTIVE
    _saved(license, ["status"])
    return _recorded(
        license, AuditAction.LICENSE_REACTIVATED, before=before, after={"status": license.status}
    )
