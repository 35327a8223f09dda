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


def license_issue(*, company, license_type: str, **fields) -> License:
    """A new license, for ``company`` or unassigned (``company=None``)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be set.") for field in unknown})
    fields.setdefault("starts_on", timezone.localdate())
    return _saved(License(company=company, type=license_type, **fields))


def license_update(*, license: License, **changes) -> License:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    for field, value in changes.items():
        setattr(license, field, value)
    return _saved(license, list(changes))


@transaction.atomic
def license_assign(*, license: License, company) -> License:
    """Give the license to ``company`` (it may move from another company)."""
    license.company = company
    return _saved(license, ["company"])


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
    license.expires_on = add_months(start, months)
    return _saved(license, ["expires_on"])


def license_extend(*, license: License, days: int) -> License:
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationError({"days": _("Extend by 1 to %(max)d days.") % {"max": MAX_EXTENSION_DAYS}})
    if license.expires_on is None:
        raise ValidationError({"expires_on": _("This license does not expire; there is nothing to extend.")})
    license.expires_on += timedelta(days=days)
    return _saved(license, ["expires_on"])


def license_suspend(*, license: License) -> License:
    license.status = LicenseStatus.SUSPENDED
    return _saved(license, ["status"])


def license_reactivate(*, license: License) -> License:
    license.status = LicenseStatus.ACTIVE
    return _saved(license, ["status"])
