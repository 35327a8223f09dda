"""On-premise license files: a company's license signed with the platform's Ed25519 key,
verified offline by an installation at start-up and enforced from then on like a license row.

A file is JSON::

    {"payload": {...}, "signature": "<base64 of the Ed25519 signature>"}

The signature covers the payload's canonical bytes: ``json.dumps(payload, sort_keys=True,
separators=(",", ":"), ensure_ascii=False)`` in UTF-8 (the payload holds no floats, so any
language can rebuild those bytes). The payload:

- ``kind`` ("triboka-license") and ``format`` (1): what this is and how to read it;
- ``key_id``: the first 16 hex digits of the SHA-256 of the signing key's public half, so an
  installation can say "signed by another key" rather than "altered";
- ``code``, ``type`` (always "vps"), ``modules``, ``limits`` (``users``, ``api_calls_month``,
  ``storage_mb``, ``iot_devices``; null is unlimited);
- ``company``: ``slug``, ``name``, ``ruc``;
- ``starts_on``, ``expires_on`` (ISO dates; null never expires), ``issued_at`` (UTC).

Keys: the master signs with TRIBOKA_LICENSE_SIGNING_KEY (the private key, only there); an
installation verifies with TRIBOKA_LICENSE_PUBLIC_KEY. Either is PEM or the base64 of the raw
32 bytes; ``manage.py license_keypair`` prints a new pair. There is no built-in public key:
an installation with TRIBOKA_LICENSE_FILE and no public key refuses to start.

Why only ``vps`` licenses: a SaaS or API license is served by the platform itself; a file
would let it run anywhere without the platform knowing.
"""

import base64
import binascii
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from .enforcement import LicenseTerms, license_in_force
from .models import License, LicenseStatus, LicenseType

logger = logging.getLogger(__name__)

KIND = "triboka-license"
FORMAT = 1
LIMITS = {  # the file's name for a limit -> the License field
    "users": "max_users",
    "api_calls_month": "max_api_calls_month",
    "storage_mb": "max_storage_mb",
    "iot_devices": "max_iot_devices",
}


class LicenseFileError(ValueError):
    """A license file that cannot be issued, or that an installation must not run with."""


# --- keys ------------------------------------------------------------------------------


def _key_load(text: str, *, private: bool):
    """An Ed25519 key from PEM or from the base64 of its raw 32 bytes."""
    kind, key_class = ("private", Ed25519PrivateKey) if private else ("public", Ed25519PublicKey)
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            pem = text.replace("\\n", "\n").encode()  # an environment variable may hold "\n" for line breaks
            if private:
                key = serialization.load_pem_private_key(pem, password=None)
            else:
                key = serialization.load_pem_public_key(pem)
        else:
            raw = base64.b64decode(text, validate=True)
            key = key_class.from_private_bytes(raw) if private else key_class.from_public_bytes(raw)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        key = None
    if not isinstance(key, key_class):
        raise LicenseFileError(f"not an Ed25519 {kind} key (PEM, or the base64 of its 32 bytes)")
    return key


def private_key_load(text: str) -> Ed25519PrivateKey:
    return _key_load(text, private=True)


def public_key_load(text: str) -> Ed25519PublicKey:
    return _key_load(text, private=False)


def public_key_text(key: Ed25519PublicKey) -> str:
    return base64.b64encode(key.public_bytes_raw()).decode()


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(key.public_bytes_raw()).hexdigest()[:16]


def keypair_generate() -> tuple[str, str]:
    """A new (private, public) pair, each the base64 of its raw 32 bytes."""
    private = Ed25519PrivateKey.generate()
    return base64.b64encode(private.private_bytes_raw()).decode(), public_key_text(private.public_key())


def canonical_bytes(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


# --- issuing (on the master) -----------------------------------------------------------


def license_file_issue(*, company, signing_key: str | None = None, today: date | None = None) -> dict:
    """The signed file of ``company``'s license in force, as a JSON-ready document."""
    today = today or timezone.localdate()
    license = license_in_force(company, today=today)
    if license is None:
        raise LicenseFileError(f"The company {company.slug!r} has no license in force.")
    if license.type != LicenseType.VPS:
        raise LicenseFileError(
            f"The license {license.code} of {company.slug!r} is of type {license.type!r}: only "
            "on-premise (vps) licenses get a file. Change its type to vps first."
        )
    if license.status != LicenseStatus.ACTIVE:
        raise LicenseFileError(f"The license {license.code} is suspended; reactivate it first.")
    if license.expires_on is not None and license.expires_on < today:
        raise LicenseFileError(f"The license {license.code} expired on {license.expires_on}; renew it first.")
    text = signing_key if signing_key is not None else settings.TRIBOKA_LICENSE_SIGNING_KEY
    if not text:
        raise LicenseFileError(
            "TRIBOKA_LICENSE_SIGNING_KEY is not set: the platform's private key signs the file."
        )
    try:
        key = private_key_load(text)
    except LicenseFileError as error:
        raise LicenseFileError(f"TRIBOKA_LICENSE_SIGNING_KEY is {error}.") from error
    payload = _payload(license, company, key_id=key_id(key.public_key()))
    signature = key.sign(canonical_bytes(payload))
    return {"payload": payload, "signature": base64.b64encode(signature).decode()}


def _payload(license: License, company, *, key_id: str) -> dict:
    return {
        "kind": KIND,
        "format": FORMAT,
        "key_id": key_id,
        "code": license.code,
        "type": license.type,
        "company": {"slug": company.slug, "name": company.name, "ruc": company.ruc},
        "modules": sorted(license.modules or []),
        "limits": {name: getattr(license, field) for name, field in LIMITS.items()},
        "starts_on": license.starts_on.isoformat(),
        "expires_on": license.expires_on.isoformat() if license.expires_on else None,
        "issued_at": timezone.now().astimezone(UTC).isoformat(timespec="seconds"),
    }


# --- reading (on an installation) ------------------------------------------------------


@dataclass(frozen=True)
class LicenseFile:
    """A verified license file: authentic, complete, for one company."""

    code: str
    type: str
    company_slug: str
    company_name: str
    company_ruc: str
    modules: frozenset
    limits: dict
    starts_on: date
    expires_on: date | None
    issued_at: str
    key_id: str

    @property
    def terms(self) -> LicenseTerms:
        return LicenseTerms(
            code=self.code,
            type=self.type,
            status=LicenseStatus.ACTIVE,
            modules=self.modules,
            expires_on=self.expires_on,
            max_api_calls_month=self.limits.get("api_calls_month"),
        )

    def as_license(self, company=None) -> License:
        """An unsaved License with the file's terms, for code that reads a license row."""
        return License(
            code=self.code,
            company=company,
            type=self.type,
            status=LicenseStatus.ACTIVE,
            modules=sorted(self.modules),
            starts_on=self.starts_on,
            expires_on=self.expires_on,
            **{field: self.limits.get(name) for name, field in LIMITS.items()},
        )

    def is_for(self, company) -> bool:
        return company is not None and company.slug == self.company_slug and company.ruc == self.company_ruc

    def grace_ends_on(self) -> date | None:
        return self.expires_on + timedelta(days=settings.LICENSE_GRACE_DAYS) if self.expires_on else None

    def state(self, today: date | None = None) -> str:
        """active, read_only (expired, within the grace period) or expired (closed)."""
        today = today or timezone.localdate()
        if self.expires_on is None or today <= self.expires_on:
            return "active"
        return "read_only" if today <= self.grace_ends_on() else "expired"


def license_file_read(path, public_key_text: str) -> LicenseFile:
    """The file at ``path``, checked against the public key; LicenseFileError says why not."""
    path = Path(path)
    if not public_key_text:
        raise LicenseFileError(
            "TRIBOKA_LICENSE_PUBLIC_KEY is not set: it must hold the public key Triboka gave you "
            "with the license file."
        )
    try:
        public_key = public_key_load(public_key_text)
    except LicenseFileError as error:
        raise LicenseFileError(f"TRIBOKA_LICENSE_PUBLIC_KEY is {error}.") from error
    try:
        document = json.loads(path.read_bytes())
    except OSError as error:
        raise LicenseFileError(f"The license file {path} cannot be read ({error.strerror}).") from error
    except ValueError as error:
        raise LicenseFileError(
            f"The license file {path} is not JSON: it is not a Triboka license file."
        ) from error
    payload, signature = _parts(document, path)
    _signature_check(payload, signature, public_key, path)
    return _contents(payload, path)


def _parts(document, path: Path) -> tuple[dict, bytes]:
    if not isinstance(document, dict) or not isinstance(document.get("payload"), dict):
        raise LicenseFileError(f"The license file {path} has no payload: it is not a Triboka license file.")
    try:
        signature = base64.b64decode(document.get("signature") or "", validate=True)
    except (binascii.Error, ValueError, TypeError):
        signature = b""
    if len(signature) != 64:
        raise LicenseFileError(f"The license file {path} has no valid signature: it is not a signed license.")
    return document["payload"], signature


def _signature_check(payload: dict, signature: bytes, public_key: Ed25519PublicKey, path: Path) -> None:
    try:
        public_key.verify(signature, canonical_bytes(payload))
    except InvalidSignature:
        trusted, named = key_id(public_key), payload.get("key_id")
        if named != trusted:
            raise LicenseFileError(
                f"The license file {path} was signed by another key ({named}); this installation "
                f"trusts the key {trusted} (TRIBOKA_LICENSE_PUBLIC_KEY)."
            ) from None
        raise LicenseFileError(
            f"The license file {path} has been altered since Triboka signed it: its signature does "
            "not match its contents."
        ) from None


def _contents(payload: dict, path: Path) -> LicenseFile:
    """The signed payload's fields, checked (a file from a newer format is refused)."""
    if payload.get("kind") != KIND:
        raise LicenseFileError(f"The license file {path} is not a Triboka license file.")
    if payload.get("format") != FORMAT:
        raise LicenseFileError(
            f"The license file {path} is in format {payload.get('format')}; this version reads format "
            f"{FORMAT}. Update Triboka or ask for a file in format {FORMAT}."
        )
    try:
        company, limits = payload["company"], payload["limits"]
        modules = payload["modules"]
        if not isinstance(modules, list) or not all(isinstance(module, str) for module in modules):
            raise TypeError("modules")
        if not all(value is None or isinstance(value, int) for value in limits.values()):
            raise TypeError("limits")
        return LicenseFile(
            code=str(payload["code"]),
            type=str(payload["type"]),
            company_slug=str(company["slug"]),
            company_name=str(company["name"]),
            company_ruc=str(company["ruc"]),
            modules=frozenset(modules),
            limits={name: limits.get(name) for name in LIMITS},
            starts_on=date.fromisoformat(payload["starts_on"]),
            expires_on=date.fromisoformat(payload["expires_on"]) if payload["expires_on"] else None,
            issued_at=str(payload["issued_at"]),
            key_id=str(payload.get("key_id")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise LicenseFileError(f"The license file {path} is incomplete ({error}).") from error


def license_file_dates_check(license_file: LicenseFile, path, today: date | None = None) -> None:
    """A file may run from its start until the enforcement's grace period ends: an
    installation that restarts while read-only stays read-only, it is not closed early."""
    today = today or timezone.localdate()
    if today < license_file.starts_on:
        raise LicenseFileError(
            f"The license {license_file.code} in {path} starts on {license_file.starts_on}, not before."
        )
    if license_file.state(today) == "expired":
        raise LicenseFileError(
            f"The license {license_file.code} in {path} expired on {license_file.expires_on} and its "
            f"{settings.LICENSE_GRACE_DAYS}-day grace period ended on {license_file.grace_ends_on()}: "
            "ask Triboka for a renewed license file."
        )


# --- the installed file ----------------------------------------------------------------

_installed: dict[tuple[str, str], LicenseFile] = {}


def installed_license_file() -> LicenseFile | None:
    """The verified file of this installation (TRIBOKA_LICENSE_FILE), or None on the SaaS.

    Read and verified once per process (start-up does it first); a renewed file takes
    effect at the next restart.
    """
    path = settings.TRIBOKA_LICENSE_FILE
    if not path:
        return None
    cache_key = (str(path), settings.TRIBOKA_LICENSE_PUBLIC_KEY)
    if cache_key not in _installed:
        license_file = license_file_read(path, settings.TRIBOKA_LICENSE_PUBLIC_KEY)
        license_file_dates_check(license_file, path)
        _installed[cache_key] = license_file
    return _installed[cache_key]


def license_file_startup_check() -> None:
    """Refuse to start (ImproperlyConfigured, one line) with a file that is unreadable,
    altered, signed by another key, not yet valid or expired past the grace period."""
    try:
        license_file = installed_license_file()
    except LicenseFileError as error:
        raise ImproperlyConfigured(f"Triboka cannot start: {error}") from None
    if license_file is not None and license_file.state() == "read_only":
        logger.warning(
            "The license %s expired on %s: the site is read-only until %s. Ask Triboka for a renewed file.",
            license_file.code,
            license_file.expires_on,
            license_file.grace_ends_on(),
        )


def license_terms_for(company) -> LicenseTerms | None:
    """The terms a company's requests are held to: its license row on the SaaS; on an
    installation, the file's for the company it names and none (a closed site) for others."""
    license_file = installed_license_file()
    if license_file is None:
        license = license_in_force(company)
        return LicenseTerms.of(license) if license else None
    return license_file.terms if license_file.is_for(company) else None


def license_for(company) -> License | None:
    """The license row (or, on an installation, the file as an unsaved row) whose limits
    apply to ``company``."""
    license_file = installed_license_file()
    if license_file is None:
        return license_in_force(company)
    return license_file.as_license(company) if license_file.is_for(company) else None


@transaction.atomic
def license_file_mirror(*, company, license_file: LicenseFile) -> License:
    """Make the company's license row on this installation say what the file says (code,
    type, modules, limits, dates), so its admin and the row-based limits agree with it.

    The file stays the authority for the routes; this is what the panel shows.
    """
    license = license_in_force(company) or company.licenses.order_by("-starts_on", "-pk").first()
    values = license_file.as_license(company)
    fields = ["code", "type", "status", "modules", "starts_on", "expires_on", *LIMITS.values()]
    if license is None:
        license = values
    else:
        for field in fields:
            setattr(license, field, getattr(values, field))
    license.full_clean()  # a row of another company with the file's code is refused here
    license.save()
    company.licenses.exclude(pk=license.pk).delete()  # one license: the file's
    return license


def license_file_state_for_heartbeat() -> dict:
    """What an installation reports about its license file to the master."""
    license_file = installed_license_file()
    if license_file is None:
        return {"code": "", "company": "", "expires_on": None, "state": "missing"}
    return {
        "code": license_file.code,
        "company": license_file.company_slug,
        "expires_on": license_file.expires_on.isoformat() if license_file.expires_on else None,
        "state": license_file.state(),
    }


def license_file_company_check(app_configs=None, databases=None, **kwargs):
    """`manage.py check --database default`: the company the file names is in this
    database, with the same RUC (a database check: a restore into an empty database runs
    before the company is there)."""
    from django.core.checks import Error
    from django.db import connection

    from master.companies.models import Company

    license_file = installed_license_file()
    if license_file is None or not databases:
        return []
    connection.set_schema_to_public()
    if Company._meta.db_table not in connection.introspection.table_names():
        return []  # an empty database: `import_company` creates the tables and the company
    company = Company.objects.filter(slug=license_file.company_slug).first()
    if company is not None and license_file.is_for(company):
        return []
    found = f"RUC {company.ruc}" if company is not None else "not in this database"
    return [
        Error(
            f"The license file {settings.TRIBOKA_LICENSE_FILE} is for the company "
            f"{license_file.company_slug} (RUC {license_file.company_ruc}): {found}.",
            hint="Restore the company's backup here (manage.py import_company), or install its own file.",
            id="licensing.E001",
        )
    ]
