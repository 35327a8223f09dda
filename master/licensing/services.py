from django.utils import timezone

from .models import License, LicenseType


def license_issue(*, company, license_type: str) -> License:
    license = License(company=company, type=LicenseType(license_type), starts_on=timezone.localdate())
    license.full_clean()
    license.save()
    return license
