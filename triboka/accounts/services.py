"""Writes on users. Called by the admin, the API and the provisioning service alike."""

from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from master.licensing.limits import users_limit_check
from triboka.audit.models import AuditAction
from triboka.audit.services import audit_record, audit_record_changes, stored_values

from .models import COMPANY_ROLES, Role, User


def _normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from error
    return email


LAST_ADMIN_MESSAGE = _lazy("The company needs at least one active administrator.")


def roles_for_current_site() -> list[Role]:
    """Company schemas hold company roles; the public schema holds Triboka staff only."""
    return [Role.STAFF] if connection.schema_name == "public" else list(COMPANY_ROLES)


def _validate_role(role: str) -> None:
    if role not in roles_for_current_site():
        raise ValidationError({"role": _("This role does not exist on this site.")})


def user_create(
    *,
    email: str,
    role: str,
    full_name: str = "",
    language: str = "es",
    password: str | None = None,
) -> User:
    """Create a user in the current schema; without a password it gets a set-password link."""
    email = _normalize_email(email)
    _validate_role(role)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A user with this e-mail already exists.")})
    users_limit_check(adding=1, field="email")
    user = User(
        email=email,
        full_name=full_name,
        role=role,
        language=language,
        is_staff=role in (Role.ADMIN, Role.STAFF),
        is_superuser=role in (Role.ADMIN, Role.STAFF),
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    audit_record(
        action=AuditAction.USER_CREATED,
        target=user,
        after={
            field: getattr(user, field) for field in ("email", "full_name", "role", "language", "is_active")
        },
    )
    return user


def user_validate_update(*, user: User, changes: dict) -> None:
    """Refuse changes no administrator may make, such as leaving a company without an
    active administrator (nobody could manage its users any more)."""
    unknown = set(changes) - {"full_name", "language", "role", "is_active"}
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    if "role" in changes:
        _validate_role(changes["role"])
    demoted = changes.get("role", user.role) != Role.ADMIN
    if changes.get("is_active") is True and not user.is_active:
        users_limit_check(adding=1, field="is_active")  # a reactivation counts like an invitation
    deactivated = changes.get("is_active", user.is_active) is False
    if (demoted or deactivated) and user_is_last_active_admin(user):
        field = "role" if demoted else "is_active"
        raise ValidationError({field: LAST_ADMIN_MESSAGE})


def user_is_last_active_admin(user: User) -> bool:
    if not (user.role == Role.ADMIN and user.is_active) or connection.schema_name == "public":
        return False
    from support.remote.selectors import support_agent_user_ids  # support's agent is no admin of theirs

    others = User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk)
    return not others.exclude(pk__in=support_agent_user_ids()).exists()


def user_delete(*, user: User) -> None:
    if user_is_last_active_admin(user):
        raise ValidationError(LAST_ADMIN_MESSAGE)
    audit_record(
        action=AuditAction.USER_DELETED, target=user, before={"email": user.email, "role": user.role}
    )
    user.delete()


def user_update(*, user: User, **changes) -> User:
    """Change a user's fields as an administrator; admin rights follow the role."""
    user_validate_update(user=user, changes=changes)
    before = stored_values(user, list(changes))  # an admin form may have set them on ``user`` already
    audited = dict(changes)
    for field, value in changes.items():
        setattr(user, field, value)
    if "role" in changes:
        user.is_staff = user.is_superuser = user.role in (Role.ADMIN, Role.STAFF)
        changes.update(is_staff=user.is_staff, is_superuser=user.is_superuser)
    user.full_clean()
    user.save(update_fields=list(changes))
    _user_changes_record(user, before, audited)
    return user


def _user_changes_record(user: User, before: dict, after: dict) -> None:
    """One audit event per kind of change: role, activation, other edits."""
    if "is_active" in after:
        action = AuditAction.USER_ACTIVATED if after["is_active"] else AuditAction.USER_DEACTIVATED
        audit_record_changes(
            action=action, target=user, before=before, after={"is_active": after.pop("is_active")}
        )
    if "role" in after:
        audit_record_changes(
            action=AuditAction.ROLE_CHANGED, target=user, before=before, after={"role": after.pop("role")}
        )
    if after:
        audit_record_changes(action=AuditAction.USER_UPDATED, target=user, before=before, after=after)


def user_update_profile(*, user: User, full_name: str | None = None, language: str | None = None) -> User:
    """What a user may change about themselves (not their role or e-mail)."""
    changes = {}
    if full_name is not None:
        changes["full_name"] = full_name
    if language is not None:
        changes["language"] = language
    if changes:
        user_update(user=user, **changes)
    return user


def user_set_password_path(user: User) -> str:
    """Path of a one-time link to set a password: it stops working once used or expired."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse(
        "accounts:set_password",
        urlconf="triboka.urls_tenant",
        kwargs={"uidb64": uidb64, "token": token},
    )


def user_invitation_send(*, user: User, base_url: str) -> None:
    """E-mail a user the link to set their password (base_url: the site, no trailing slash)."""
    with translation.override(user.language):
        body = render_to_string(
            "email/invitation.txt",
            {"user": user, "set_password_url": base_url + user_set_password_path(user)},
        )
        subject = _("You have been invited to Triboka")
    mail.send_mail(subject, body, None, [user.email])


def user_password_reset_send(*, user: User, domain: str, protocol: str) -> None:
    """E-mail ``user`` the "forgotten password" e-mail: a one-time link to choose a new
    password on ``domain``. Whoever asks for it never sees a password."""
    from django.conf import settings
    from django.urls import get_urlconf, set_urlconf

    context = {
        "email": user.email,
        "domain": domain,
        "protocol": protocol,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "user": user,
    }
    previous = get_urlconf()
    set_urlconf(settings.ROOT_URLCONF)  # the link is to the company's site, whoever sends it
    try:
        with translation.override(user.language):
            subject = "".join(render_to_string("email/password_reset_subject.txt", context).splitlines())
            body = render_to_string("email/password_reset.txt", context)
    finally:
        set_urlconf(previous)
    mail.send_mail(subject, body, None, [user.email])
    audit_record(action=AuditAction.PASSWORD_RESET_REQUESTED, target=user)
