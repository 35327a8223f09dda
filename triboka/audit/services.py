"""Recording audit events.

Where an event is written:

* **A company's schema** holds what happens to that company's users: sign-ins, failed
  sign-ins, token refreshes and sign-outs on its site, password links and password changes,
  users created, edited, given another role, deactivated, activated or deleted, whoever did
  it: a company administrator, or Triboka staff from the master directory (the actor's site
  is then ``public``). These are written in the current schema, which is the company's
  whenever the code touches its users (a request on its site, or ``tenant_context``).
* **The public schema** holds the platform: companies (created, edited, suspended,
  reactivated, deleted), licenses, backups and restores, edits in the master admin, and
  staff's own sign-ins on the root domain. These are recorded with ``platform=True``:
  written in the public schema whatever schema is current, with the subdomain of the
  company they concern.

A company's administrators read its events in the company's admin; Triboka staff read the
public ones in the master admin, and one company's at a time through the master admin's
company view (which reads that company's schema, never all of them).

Who: the signed-in user of the current request (context.py), or the ``actor`` given (a
sign-in, when the request has no user yet), or else the system (Celery tasks, commands).
``before``/``after`` hold only what changed; the value of any field named like a password,
secret, token or key is replaced by ``***``.

An event is written in the caller's transaction: a change rolled back leaves no event.
"""

import enum
import re

from django.db import connection, models
from django.utils.functional import Promise
from django_tenants.utils import get_public_schema_name, schema_context

from .context import RequestContext, current
from .models import ActorKind, AuditAction, AuditEvent

SENSITIVE = re.compile(r"pass|secret|token|key|credential|signature", re.IGNORECASE)
HIDDEN = "***"
REPR_MAX_LENGTH = 200


def audit_record(
    *,
    action: str,
    target: models.Model | None = None,
    object_repr: str | None = None,
    object_id=None,
    company=None,
    before: dict | None = None,
    after: dict | None = None,
    actor=None,
    platform: bool = False,
) -> AuditEvent:
    """Write one event. ``company`` (a Company or its subdomain) defaults to the current
    schema's company; ``platform`` writes in the public schema (see the module's doc).
    ``object_repr``/``object_id`` name the target when there is no instance (or no longer
    an id: a deleted one)."""
    context = current()
    event = AuditEvent(
        action=action,
        **_actor_fields(actor, context),
        company_slug=_company_slug(company, platform),
        **_target_fields(target, object_repr, object_id),
        before=values_safe(before),
        after=values_safe(after),
        ip=context.ip if context else None,
        user_agent=context.user_agent if context else "",
        request_id=context.request_id if context else "",
    )
    if platform and connection.schema_name != get_public_schema_name():
        with schema_context(get_public_schema_name()):
            event.save(force_insert=True)
    else:
        event.save(force_insert=True)
    return event


def audit_record_changes(*, action: str, before: dict, after: dict, **fields) -> AuditEvent | None:
    """Record ``action`` with the fields whose value differs; nothing when none does."""
    changed = [name for name in after if _plain(before.get(name)) != _plain(after[name])]
    if not changed:
        return None
    return audit_record(
        action=action,
        before={name: before.get(name) for name in changed},
        after={name: after[name] for name in changed},
        **fields,
    )


def stored_values(instance: models.Model, fields) -> dict:
    """What ``fields`` hold in the database now: an admin form has already changed the
    instance in memory by the time a service sees it."""
    if instance.pk is None:
        return {}
    model = instance._meta.model  # not type(): request.user is a lazy proxy
    return model._default_manager.filter(pk=instance.pk).values(*fields).first() or {}


def values_safe(values: dict | None) -> dict:
    """JSON-ready values, secrets masked."""
    return {
        str(name): HIDDEN if SENSITIVE.search(str(name)) else _plain(value)
        for name, value in (values or {}).items()
    }


def _plain(value):
    if isinstance(value, dict):
        return values_safe(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Promise):
        return str(value)
    return value


def _actor_fields(actor, context: RequestContext | None) -> dict:
    site = context.schema if context else connection.schema_name
    if actor is None and context is not None:
        actor = _request_user(context)
        if actor is None:
            return {"actor_kind": ActorKind.ANONYMOUS, "actor_schema": context.schema}
    if actor is None:
        return {"actor_kind": ActorKind.SYSTEM}
    return {
        "actor_kind": ActorKind.USER,
        "actor_user_id": actor.pk,
        "actor_email": actor.email,
        "actor_schema": site,
    }


def _request_user(context: RequestContext):
    """The request's signed-in user, looked up (if it has not been yet) on its own site:
    the caller may be in another company's schema by now."""
    user = getattr(context.request, "user", None)
    if user is None:
        return None
    if connection.schema_name == context.schema:
        return user if user.is_authenticated else None
    with schema_context(context.schema):
        return user if user.is_authenticated else None


def _company_slug(company, platform: bool) -> str:
    if company is not None:
        return company if isinstance(company, str) else company.slug
    if platform:
        return ""
    return _current_company_slug()


_slugs_by_schema: dict[str, str] = {}


def _current_company_slug() -> str:
    """The subdomain of the company whose schema is current ("" in public or the template).
    A company's schema is named after its subdomain and neither ever changes."""
    tenant_slug = getattr(connection.tenant, "slug", None)
    if tenant_slug:
        return tenant_slug
    schema = connection.schema_name
    if schema not in _slugs_by_schema:
        from master.companies.models import Company

        slug = Company.objects.filter(schema_name=schema).values_list("slug", flat=True).first()
        if slug is None:
            return ""
        _slugs_by_schema[schema] = slug
    return _slugs_by_schema[schema]


def _target_fields(target: models.Model | None, object_repr: str | None, object_id) -> dict:
    fields = {}
    if target is not None:
        fields = {
            "object_type": target._meta.label_lower,
            "object_id": "" if target.pk is None else str(target.pk),
            "object_repr": str(target)[:REPR_MAX_LENGTH],
        }
    if object_repr is not None:
        fields["object_repr"] = object_repr[:REPR_MAX_LENGTH]
    if object_id is not None:
        fields["object_id"] = str(object_id)
    return fields


COMPANY_STATUS_FIELDS = ("status", "suspension_reason")


def audit_company_status(*, company, before: dict) -> AuditEvent | None:
    """A company suspended or reactivated by staff (``before``: its COMPANY_STATUS_FIELDS
    before the change); nothing when its status did not change."""
    action = AuditAction.COMPANY_SUSPENDED if company.is_suspended else AuditAction.COMPANY_REACTIVATED
    return audit_record_changes(
        action=action,
        target=company,
        company=company,
        before=before,
        after={field: getattr(company, field) for field in COMPANY_STATUS_FIELDS},
        platform=True,
    )


def audit_company_deleted(*, company, company_id: int, final_dump) -> AuditEvent:
    """A company deleted by staff (its row is gone: ``company_id`` is the id it had)."""
    return audit_record(
        action=AuditAction.COMPANY_DELETED,
        target=company,
        object_id=company_id,
        company=company,
        before={field: getattr(company, field) for field in ("name", "slug", "ruc", "kind")},
        after={"final_dump": str(final_dump)},
        platform=True,
    )
