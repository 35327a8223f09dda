"""What a company's license allows, decided for each request from the cached route.

The license in force is read with the company when its host is looked up
(master/companies/routing.py) and kept in the worker's route cache, which a change to a
license clears (signals.py): enforcing costs no query per request.

- a suspended license, or one expired more than the grace period ago (system settings,
  LICENSE_GRACE_DAYS by default), closes the site;
- within the grace period the site is read-only (signing in and out still work);
- an ``api`` license serves the API and refuses the HTML pages;
- a module the license does not include answers 403 naming the module, on its pages, its
  endpoints and its websockets.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import formats
from django.utils.translation import gettext as _

from .models import License, LicenseStatus, LicenseType, Module

# The first pattern that matches a path names its module.
MODULE_PATHS = [
    (re.compile(r"^/(api/v1/)?contracts/\d+/documents/"), Module.DOCUMENTS),
    (re.compile(r"^/(api/v1/)?documents/"), Module.DOCUMENTS),
    (re.compile(r"^/contracts/\d+/chat/"), Module.CHAT),
    (re.compile(r"^/api/v1/chats/"), Module.CHAT),
    (re.compile(r"^/ws/contracts/\d+/chat/"), Module.CHAT),
    (re.compile(r"^/(api/v1/)?contracts/"), Module.CONTRACTS),
    (re.compile(r"^/(api/v1/)?lots/(\d+/split|merge)/"), Module.INVENTORY),
    (re.compile(r"^/(api/v1/)?lots/"), Module.LOTS),
    (re.compile(r"^/(api/v1/)?receptions/"), Module.RECEPTION),
    (re.compile(r"^/(api/v1/)?quality/"), Module.QUALITY),
    (re.compile(r"^/(api/v1/)?processing/"), Module.PROCESSING),
    (re.compile(r"^/(api/v1/)?inventory/"), Module.INVENTORY),
    (re.compile(r"^/(api/v1/)?ledger/"), Module.LOTS),  # traceability goes with the lots
    (re.compile(r"^/(api/v1/)?export/(shipments/\d+/due-diligence|due-diligence-statements)"), Module.EUDR),
    (re.compile(r"^/(api/v1/)?export/"), Module.EXPORT),
    (re.compile(r"^/(api/v1/)?finance/"), Module.FINANCE),
    (re.compile(r"^/(api/v1/)?eudr/"), Module.EUDR),
    (re.compile(r"^/(api/v1/)?calculator/"), Module.CALCULATOR),
    (re.compile(r"^/(api/v1/)?(demand|fob-prices)/"), Module.DEMAND),
    (re.compile(r"^/(api/v1/)?iot/"), Module.IOT),
    (re.compile(r"^/(ws/)?support/chat"), Module.SUPPORT),  # live chat; tickets stay open (below)
]
# Paths that devices call: API paths, whatever the license type (the seed's aliases).
DEVICE_PATHS = ("/iot/pesaje", "/iot/siemens/")
# Signing in and out, the language switch, tickets and the help centre work whatever the
# license's state: the refusals themselves tell users to contact support.
ALWAYS_OPEN = re.compile(
    r"^/(accounts/|api/v1/auth/|i18n/|static/|support/tickets/|support/attachments/|api/support/|help/)"
)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class LicenseTerms:
    """A license as enforcement needs it, detached from the database."""

    code: str
    type: str
    status: str
    modules: frozenset
    expires_on: date | None
    max_api_calls_month: int | None = None  # None: unlimited

    @classmethod
    def of(cls, license: License) -> "LicenseTerms":
        return cls(
            code=license.code,
            type=license.type,
            status=license.status,
            modules=frozenset(license.modules or ()),
            expires_on=license.expires_on,
            max_api_calls_month=license.max_api_calls_month,
        )


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str


def license_in_force(company, today: date | None = None) -> License | None:
    """The company's newest license that has started."""
    from django.utils import timezone

    today = today or timezone.localdate()
    return company.licenses.filter(starts_on__lte=today).order_by("-starts_on", "-pk").first()


def _grace_days() -> int:
    from master.platform.services import system_settings  # cached: no query per request

    return system_settings().license_grace_days


def module_for_path(path: str) -> str | None:
    return next((module for pattern, module in MODULE_PATHS if pattern.match(path)), None)


def _day(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def license_refusal(terms: LicenseTerms | None, *, path: str, method: str, today: date) -> Refusal | None:
    """Why this request may not go ahead under the license, or None."""
    if terms is None:
        return Refusal(
            403, "no_license", _("This company has no license in force. Please contact Triboka support.")
        )
    if terms.status == LicenseStatus.SUSPENDED:
        return Refusal(
            403,
            "license_suspended",
            _("This company's license is suspended. Please contact Triboka support."),
        )
    grace_ends = terms.expires_on + timedelta(days=_grace_days()) if terms.expires_on else None
    if grace_ends is not None and today > grace_ends:
        return Refusal(
            403,
            "license_expired",
            _("This company's license expired on %(day)s. Please contact Triboka support to renew it.")
            % {"day": _day(terms.expires_on)},
        )
    if ALWAYS_OPEN.match(path):
        return None
    if terms.type == LicenseType.API and not path.startswith(("/api/", "/ws/", *DEVICE_PATHS)):
        return Refusal(
            403,
            "api_only_license",
            _("This company's license covers the API only; the pages are not available."),
        )
    module = module_for_path(path)
    if module is not None and module not in terms.modules:
        return Refusal(
            403,
            "module_not_licensed",
            _("The module «%(module)s» is not included in this company's license.")
            % {"module": Module(module).label},
        )
    if terms.expires_on is not None and today > terms.expires_on and method not in SAFE_METHODS:
        return Refusal(
            403,
            "license_read_only",
            _(
                "This company's license expired on %(day)s: the site is read-only until %(until)s. "
                "Renew the license to make changes."
            )
            % {"day": _day(terms.expires_on), "until": _day(grace_ends)},
        )
    return None
