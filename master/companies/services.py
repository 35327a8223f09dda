"""Writes on companies: provisioning, edits, suspension, deletion, and the user directory.

``company_provision`` is the one way a company comes to be; Django Admin, the master API
and ``manage.py create_company`` all call it.
"""

import json
import logging
import shutil
from dataclasses import dataclass
from functools import partial, wraps
from pathlib import Path

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists, tenant_context

from master.licensing.models import License, LicenseType
from master.licensing.services import license_issue
from master.webhooks import events as webhook_events
from triboka.accounts.models import Role, User
from triboka.accounts.services import (
    user_create,
    user_password_reset_send,
    user_set_password_path,
    user_update,
)
from triboka.redis_client import redis_client

from .models import Company, CompanyStatus, Domain, UserDirectoryEntry, company_url
from .pgdump import pg_dump
from .template import schema_create_from_template, schema_drop, template_schema, template_sql
from .validators import schema_name_for_slug

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = ("name", "ruc", "kind")


@dataclass(frozen=True)
class ProvisionedCompany:
    company: Company
    license: License
    admin_email: str
    admin_password_set: bool
    set_password_url: str | None


def _in_public_schema(service):
    """Companies live in the public schema, whatever schema the caller was last in."""

    @wraps(service)
    def wrapper(*args, **kwargs):
        with schema_context(get_public_schema_name()):
            return service(*args, **kwargs)

    return wrapper


def _merge(errors: dict, field: str, error: ValidationError) -> None:
    errors.setdefault(field, []).extend(error.messages)


def _company_validate_new(
    *, company: Company, license_type: str, admin_email: str, admin_password: str | None
) -> None:
    """Every problem at once, keyed by field, before anything is written."""
    errors: dict[str, list[str]] = {}
    try:
        company.full_clean(exclude=["schema_name"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if "slug" not in errors and schema_exists(company.schema_name):
        errors["slug"] = [_("This subdomain cannot be used; please choose another.")]
    if license_type not in LicenseType.values:
        errors["license_type"] = [
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(LicenseType.values)}
        ]
    try:
        validate_email(admin_email)
        if len(admin_email) > User._meta.get_field("email").max_length:
            raise ValidationError("too long")
    except ValidationError:
        errors["admin_email"] = [_("Enter a valid e-mail address.")]
    if admin_password:
        try:
            validate_password(admin_password, User(email=admin_email))
        except ValidationError as error:
            _merge(errors, "admin_password", error)
    if errors:
        raise ValidationError(errors)


@_in_public_schema
def company_provision(
    *,
    name: str,
    slug: str,
    ruc: str,
    kind: str,
    license_type: str,
    admin_email: str,
    admin_password: str | None = None,
    admin_full_name: str = "",
    admin_language: str = "es",
    migrate_template_if_behind: bool = False,
) -> ProvisionedCompany:
    """Company row, schema (copied from the template), domain, license, first admin and a
    welcome e-mail, all or nothing."""
    slug, ruc, admin_email = slug.strip(), ruc.strip(), admin_email.strip().lower()
    company = Company(
        name=name.strip(), slug=slug, ruc=ruc, kind=kind, schema_name=schema_name_for_slug(slug)
    )
    _company_validate_new(
        company=company,
        license_type=license_type,
        admin_email=admin_email,
        admin_password=admin_password,
    )
    sql = template_sql(migrate_if_behind=migrate_template_if_behind)
    try:
        with transaction.atomic():
            company.save()
            Domain.objects.create(domain=company.primary_domain, tenant=company, is_primary=True)
            license = license_issue(company=company, license_type=license_type)
            webhook_events.company_created(company)  # sent once all this commits
            schema_create_from_template(company.schema_name, sql)
            with tenant_context(company):
                admin = _first_admin_create(
                    email=admin_email,
                    full_name=admin_full_name,
                    language=admin_language,
                    password=admin_password,
                )
                link = (
                    None
                    if admin_password
                    else company_url(company.primary_domain, user_set_password_path(admin))
                )
            # robust: a mail server failure is logged; the company exists either way.
            transaction.on_commit(
                partial(_welcome_email_send, company=company, admin=admin, set_password_url=link),
                robust=True,
            )
    except IntegrityError as error:
        # Two operators creating the same company at the same moment: the loser is told.
        logger.info("Provisioning %s lost a race: %s", slug, error)
        raise ValidationError({"slug": _("A company with this subdomain or RUC already exists.")}) from error
    logger.info("Provisioned company %s (schema %s)", company.slug, company.schema_name)
    return ProvisionedCompany(
        company=company,
        license=license,
        admin_email=admin_email,
        admin_password_set=bool(admin_password),
        set_password_url=link,
    )


def _first_admin_create(*, email, full_name, language, password) -> User:
    """The first administrator; errors are reported under the provisioning form's names."""
    try:
        return user_create(
            email=email, role=Role.ADMIN, full_name=full_name, language=language, password=password
        )
    except ValidationError as error:
        raise ValidationError(
            {f"admin_{field}": messages for field, messages in error.message_dict.items()}
        ) from error


def _welcome_email_send(*, company: Company, admin: User, set_password_url: str | None) -> None:
    with translation.override(admin.language):
        context = {
            "company": company,
            "admin": admin,
            "login_url": company_url(company.primary_domain, "/accounts/login/"),
            "set_password_url": set_password_url,
        }
        subject = _("Welcome to Triboka, %(company)s") % {"company": company.name}
        body = render_to_string("email/company_welcome.txt", context)
    mail.send_mail(subject, body, None, [admin.email])


@_in_public_schema
def company_update(*, company: Company, **changes) -> Company:
    """Edit a company's name, RUC or kind; its subdomain (and schema) never change."""
    errors = {}
    if "slug" in changes and changes.pop("slug") != company.slug:
        errors["slug"] = [_("The subdomain of an existing company cannot be changed.")]
    for field in set(changes) - set(EDITABLE_FIELDS):
        errors[field] = [_("This field cannot be changed.")]
    if errors:
        raise ValidationError(errors)
    for field, value in changes.items():
        setattr(company, field, value.strip() if isinstance(value, str) else value)
    company.full_clean(exclude=["schema_name"])
    company.save(update_fields=[*changes, "updated_at"])
    return company


@_in_public_schema
def company_suspend(*, company: Company, reason: str = "") -> Company:
    """Users of a suspended company get a 403 page; its data stays as it is."""
    company.status = CompanyStatus.SUSPENDED
    company.suspended_at = timezone.now()
    company.suspension_reason = reason[:300]
    company.save(update_fields=["status", "suspended_at", "suspension_reason", "updated_at"])
    webhook_events.company_suspended(company)
    return company


@_in_public_schema
def company_reactivate(*, company: Company) -> Company:
    company.status = CompanyStatus.ACTIVE
    company.suspended_at = None
    company.suspension_reason = ""
    company.save(update_fields=["status", "suspended_at", "suspension_reason", "updated_at"])
    webhook_events.company_reactivated(company)
    return company


@_in_public_schema
def company_delete(*, company: Company, confirm_slug: str) -> Path:
    """Delete a company and its schema after writing a final dump; returns the dump's path.

    The company is suspended first, so no request writes after the dump is taken; if the
    dump fails, it goes back to its previous status and nothing is deleted. Its cached
    values are purged and its files moved beside the dump, so a company created later
    under the same subdomain inherits nothing.
    """
    if confirm_slug != company.slug:
        raise ValidationError(
            {"confirm_slug": _("Type the company's subdomain exactly to confirm the deletion.")}
        )
    was_active = not company.is_suspended
    company_suspend(company=company, reason="deletion in progress")
    try:
        dump_path = _final_dump_write(company)
    except Exception:
        if was_active:
            company_reactivate(company=company)
        raise
    with transaction.atomic():
        schema_drop(company.schema_name)
        company.delete()
    company_cache_purge(company.schema_name)
    _company_media_archive(company.schema_name, dump_path.with_suffix(".media"))
    logger.info("Deleted company %s; final dump at %s", company.slug, dump_path)
    return dump_path


def _final_dump_write(company: Company) -> Path:
    folder = Path(settings.BACKUP_ROOT) / company.schema_name
    folder.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    dump_path = folder / f"final-{stamp}.dump"
    pg_dump(company.schema_name, "--format=custom", output=dump_path)
    manifest = {
        "company": {f: getattr(company, f) for f in ("name", "slug", "ruc", "kind", "schema_name")},
        "domains": list(company.domains.values_list("domain", flat=True)),
        "licenses": list(company.licenses.values("code", "type", "starts_on", "expires_on")),
        "dump": dump_path.name,
        "media": dump_path.with_suffix(".media").name,
        "deleted_at": timezone.now().isoformat(),
    }
    dump_path.with_suffix(".json").write_text(json.dumps(manifest, default=str, indent=2))
    return dump_path


def company_cache_purge(schema: str) -> None:
    client = redis_client()
    if client is not None:
        keys = list(client.scan_iter(match=f"{schema}:*", count=1000))
        if keys:
            client.delete(*keys)


def _company_media_archive(schema: str, destination: Path) -> None:
    with schema_context(schema):
        media = Path(default_storage.path(""))  # MEDIA_ROOT/<schema>, as the storage sees it
    if media.exists():
        shutil.move(str(media), str(destination))


# --- the public user directory --------------------------------------------------------


def _current_company_id() -> int | None:
    schema = connection.schema_name
    if schema in ("public", template_schema()):
        return None
    tenant = connection.tenant
    if isinstance(tenant, Company):
        return tenant.pk
    return Company.objects.filter(schema_name=schema).values_list("pk", flat=True).first()


def directory_sync_user(*, user: User) -> None:
    """Mirror one company user into the public directory (no-op for master staff)."""
    from support.remote.selectors import is_support_agent

    company_id = _current_company_id()
    if company_id is None or is_support_agent(company_id=company_id, user_id=user.pk):
        return
    UserDirectoryEntry.objects.update_or_create(
        company_id=company_id,
        user_id=user.pk,
        defaults={
            "email": user.email,
            "full_name": user.full_name,
            "role": user.role,
            "is_active": user.is_active,
            "last_login": user.last_login,
            "date_joined": user.date_joined,
        },
    )


def directory_remove_user(*, user_id: int) -> None:
    company_id = _current_company_id()
    if company_id is not None:
        UserDirectoryEntry.objects.filter(company_id=company_id, user_id=user_id).delete()


def _directory_user(entry: UserDirectoryEntry) -> User:
    user = User.objects.filter(pk=entry.user_id).first()
    if user is None:  # the directory is behind: the user is gone
        entry.delete()
        raise ValidationError({"user": _("This user no longer exists in the company.")})
    return user


def directory_password_reset(*, entry: UserDirectoryEntry) -> None:
    """E-mail a company user a link to set a new password, from the master panel."""
    company = entry.company
    with tenant_context(company):
        user = _directory_user(entry)
        if not user.is_active:
            raise ValidationError({"is_active": _("Activate the user before sending a password link.")})
        port = f":{settings.PUBLIC_URL_PORT}" if settings.PUBLIC_URL_PORT else ""
        user_password_reset_send(
            user=user, domain=company.primary_domain + port, protocol=settings.PUBLIC_URL_SCHEME
        )


def directory_set_active(*, entry: UserDirectoryEntry, is_active: bool) -> UserDirectoryEntry:
    """Activate or deactivate a company user; a deactivated user's sessions and tokens stop
    working at their next request (authentication checks the flag each time)."""
    with tenant_context(entry.company):
        user_update(user=_directory_user(entry), is_active=is_active)  # the directory follows (signals)
    entry.refresh_from_db()
    return entry
