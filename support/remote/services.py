"""Writes of remote access: a company administrator grants a staff member access for a
window and may end it; staff get a one-time start link; the company site turns that link
into a support session as the staff member's support agent.

Every event is recorded in the company's audit log (its schema), whoever causes it: the
company's administrator on its site, staff on the root domain (actor's site ``public``),
or the system when a window runs out.
"""

import secrets
from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import login
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tenants.utils import tenant_context

from master.companies.models import company_url
from master.companies.services import directory_remove_user
from triboka.accounts.models import Role, User
from triboka.audit.models import AuditAction
from triboka.audit.services import audit_record
from triboka.errors import ApplicationError

from .models import AccessWindow, EndReason, RemoteAccessGrant, SupportAgent
from .selectors import staff_member_get

START_SALT = "support.remote.start"
START_LINK_SECONDS = 120  # the link staff follow from the admin at once
SESSION_GRANT_KEY = "support_remote_grant"  # in a support session's session data
SESSION_AFTER_WINDOW = timedelta(hours=1)
AGENT_EMAIL = "soporte+{staff_id}{suffix}@{domain}"


def _in_company(company):
    """The company's schema, for writing its audit events (a no-op on its own site)."""
    return nullcontext() if connection.schema_name == company.schema_name else tenant_context(company)


def _no_consent() -> ApplicationError:
    return ApplicationError(
        _("No consent, no access: there is no active access granted by the company for this link."),
        code="no_consent",
        status_code=403,
    )


def clock_time(moment) -> str:
    return formats.time_format(timezone.localtime(moment), "H:i")


def remote_access_grant(
    *, company, granted_by: User, staff_user_id: int, minutes: int, ticket=None
) -> RemoteAccessGrant:
    """A company administrator lets one staff member act on the company's site for
    ``minutes`` from now (one of ``AccessWindow``)."""
    if granted_by.role != Role.ADMIN:
        raise ApplicationError(
            _("Only the company's administrators can grant access to support."),
            code="forbidden",
            status_code=403,
        )
    if ticket is not None and ticket.company_id != company.pk:
        raise ValidationError({"ticket": _("This ticket is not one of your company's.")})
    if minutes not in AccessWindow.values:
        raise ValidationError({"minutes": _("Choose one of the time windows offered.")})
    staff = staff_member_get(user_id=staff_user_id)
    if staff is None:
        raise ValidationError({"staff": _("Choose a member of Triboka support.")})
    current = RemoteAccessGrant.objects.of_company(company).active().filter(staff_user_id=staff.pk).first()
    if current is not None:
        raise ValidationError(
            {
                "staff": _("%(name)s already has access until %(time)s. End it first to grant a new window.")
                % {"name": current.staff_name, "time": clock_time(current.ends_at)}
            }
        )
    now = timezone.now()
    grant = RemoteAccessGrant(
        company=company,
        ticket=ticket,
        staff_user_id=staff.pk,
        staff_email=staff.email,
        staff_name=staff.get_full_name(),
        granted_by_user_id=granted_by.pk,
        granted_by_email=granted_by.email,
        granted_by_name=granted_by.get_full_name(),
        starts_at=now,
        ends_at=now + timedelta(minutes=minutes),
    )
    grant.full_clean()
    with transaction.atomic():
        grant.save(force_insert=True)
        with _in_company(company):
            audit_record(
                action=AuditAction.SUPPORT_ACCESS_GRANTED,
                target=grant,
                object_repr=_grant_repr(grant),
                company=company,
                after={
                    "staff": grant.staff_email,
                    "ends_at": grant.ends_at,
                    "ticket": ticket.number if ticket else "",
                },
            )
    transaction.on_commit(lambda: _staff_notify(grant))
    return grant


def _grant_repr(grant: RemoteAccessGrant) -> str:
    return f"{grant.staff_name} <{grant.staff_email}>"


def _staff_notify(grant: RemoteAccessGrant) -> None:
    """Tell the staff member they may open the site (in the platform's language)."""
    with override(settings.LANGUAGE_CODE):
        context = {
            "grant": grant,
            "company": grant.company,
            "ends_at": clock_time(grant.ends_at),
            "admin_url": company_url(settings.BASE_DOMAIN, "/admin/support_remote/remoteaccessgrant/"),
        }
        subject = _("Access to %(company)s granted until %(time)s") % {
            "company": grant.company.name,
            "time": context["ends_at"],
        }
        body = render_to_string("support/remote/email/access_granted.txt", context)
    send_mail(subject, body, None, [grant.staff_email], fail_silently=True)


def remote_access_end(*, grant: RemoteAccessGrant, reason: str, ended_by_email: str = "") -> bool:
    """End an access now (or record that its window is over). False when it had already
    ended: the end is recorded once."""
    now = timezone.now()
    if now >= grant.ends_at:
        reason, ended_at = EndReason.EXPIRED, grant.ends_at
    else:
        ended_at = now
    with transaction.atomic():
        changed = RemoteAccessGrant.objects.filter(pk=grant.pk, ended_at__isnull=True).update(
            ended_at=ended_at, end_reason=reason, ended_by_email=ended_by_email, start_nonce=""
        )
        if not changed:
            grant.refresh_from_db()
            return False
        grant.ended_at, grant.end_reason, grant.ended_by_email, grant.start_nonce = (
            ended_at,
            reason,
            ended_by_email,
            "",
        )
        with _in_company(grant.company):
            _agent_deactivate(grant)
            audit_record(
                action=AuditAction.SUPPORT_ACCESS_ENDED,
                target=grant,
                object_repr=_grant_repr(grant),
                company=grant.company,
                after={"reason": reason, "ended_at": ended_at, "staff": grant.staff_email},
            )
    return True


def remote_access_expire_due() -> int:
    """Record the end of every access whose window is over (a periodic job; the support
    session middleware does the same for a grant at its next request)."""
    ended = 0
    for grant in RemoteAccessGrant.objects.due_to_expire().select_related("company"):
        ended += remote_access_end(grant=grant, reason=EndReason.EXPIRED)
    return ended


def support_session_link(*, grant: RemoteAccessGrant, staff: User) -> str:
    """A one-time link to the company's site, for the staff member the grant names, valid
    START_LINK_SECONDS; issuing one makes any earlier unused link worthless."""
    if staff.pk != grant.staff_user_id or not grant.is_active():
        raise _no_consent()
    nonce = secrets.token_hex(16)
    if not RemoteAccessGrant.objects.active().filter(pk=grant.pk).update(start_nonce=nonce):
        raise _no_consent()
    token = signing.dumps({"g": grant.pk, "s": staff.pk, "c": grant.company_id, "n": nonce}, salt=START_SALT)
    path = reverse("support_remote_start", urlconf=settings.ROOT_URLCONF, args=[token])
    return company_url(grant.company.primary_domain, path)


def support_session_start(*, request, token: str) -> RemoteAccessGrant:
    """Turn a start link into a support session on the request's company site: the link
    must be this company's, for an active grant, and not used yet. The session is the
    staff member's support agent's, marked with the grant, and expires with it."""
    company = request.company
    try:
        data = signing.loads(token, salt=START_SALT, max_age=START_LINK_SECONDS)
    except signing.BadSignature:  # SignatureExpired included
        raise _no_consent() from None
    if not isinstance(data, dict) or data.get("c") != company.pk:
        raise _no_consent()
    with transaction.atomic():
        grant = (
            RemoteAccessGrant.objects.select_for_update()
            .filter(pk=data.get("g"), company=company, staff_user_id=data.get("s"))
            .first()
        )
        if grant is None or not grant.is_active() or not grant.start_nonce:
            raise _no_consent()
        if not constant_time_compare(grant.start_nonce, str(data.get("n"))):
            raise _no_consent()
        grant.start_nonce = ""
        grant.sessions_started += 1
        grant.last_session_at = timezone.now()
        grant.save(update_fields=["start_nonce", "sessions_started", "last_session_at"])
        agent = support_agent_ensure(company=company, grant=grant)
        login(request, agent, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_GRANT_KEY] = grant.pk
        # The session outlives the window a little, so a request after its end is told so
        # (and the end recorded) rather than sent to a login page.
        request.session.set_expiry(grant.ends_at + SESSION_AFTER_WINDOW)
        # Every save of a user mirrors it into the master's directory (login's last_login
        # too); an agent is not one of the company's users.
        directory_remove_user(user_id=agent.pk)
        audit_record(
            action=AuditAction.SUPPORT_SESSION_STARTED,
            target=grant,
            object_repr=_grant_repr(grant),
            company=company,
            actor=agent,
            after={"staff": grant.staff_email, "ends_at": grant.ends_at},
        )
    return grant


def support_agent_ensure(*, company, grant: RemoteAccessGrant) -> User:
    """The staff member's agent in the company's schema (the current one), created on first
    use; never an existing user of the company, never with a usable password, always an
    administrator without the company's Django Admin."""
    link = SupportAgent.objects.filter(company=company, staff_user_id=grant.staff_user_id).first()
    user = User.objects.filter(pk=link.user_id, email=link.email).first() if link else None
    if link is not None and user is None:  # the company deleted its agent user
        link.delete()
    name = f"Soporte Triboka ({grant.staff_name})"
    if user is None:
        user = User.objects.create_user(
            email=_agent_email(grant.staff_user_id), password=None, role=Role.ADMIN, full_name=name
        )
        SupportAgent.objects.create(
            company=company, staff_user_id=grant.staff_user_id, user_id=user.pk, email=user.email
        )
        return user
    wanted = {
        "role": Role.ADMIN,
        "is_staff": False,
        "is_superuser": False,
        "is_active": True,
        "full_name": name,
    }
    changed = [field for field, value in wanted.items() if getattr(user, field) != value]
    for field in changed:
        setattr(user, field, wanted[field])
    if user.has_usable_password():  # someone gave it one: it never keeps it
        user.set_unusable_password()
        changed.append("password")
    if changed:
        user.save(update_fields=changed)
    return user


def _agent_deactivate(grant: RemoteAccessGrant) -> None:
    """Outside its windows an agent is inactive: it signs nobody in (its sessions stop at
    once), counts for no license seat and gets no mail."""
    link = SupportAgent.objects.filter(company_id=grant.company_id, staff_user_id=grant.staff_user_id).first()
    user = User.objects.filter(pk=link.user_id, email=link.email, is_active=True).first() if link else None
    if user is not None:
        user.is_active = False
        user.save(update_fields=["is_active"])
        directory_remove_user(user_id=user.pk)


def _agent_email(staff_user_id: int) -> str:
    """``soporte+<staff id>@<BASE_DOMAIN>``, or with a suffix if a company user has it."""
    for attempt in range(100):
        suffix = f".{attempt}" if attempt else ""
        email = AGENT_EMAIL.format(staff_id=staff_user_id, suffix=suffix, domain=settings.BASE_DOMAIN)
        if not User.objects.filter(email__iexact=email).exists():
            return email
    return AGENT_EMAIL.format(
        staff_id=staff_user_id, suffix=f".{secrets.token_hex(4)}", domain=settings.BASE_DOMAIN
    )
