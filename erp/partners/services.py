"""Writes on partners and on the company's users and their partner bindings."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from triboka.accounts.models import Role, User
from triboka.accounts.services import user_create, user_invitation_send, user_update, user_validate_update

from .models import Membership, Partner, PartnerKind

PARTNER_FIELDS = (
    "name",
    "kind",
    "tax_id",
    "contact_name",
    "email",
    "phone",
    "province",
    "canton",
    "latitude",
    "longitude",
    "logo",
    "is_active",
)
# Which kind of partner each partner-bound role works for.
ROLE_PARTNER_KIND = {
    Role.CENTER: PartnerKind.CENTER,
    Role.SUPPLIER: PartnerKind.SUPPLIER,
    Role.EXPORTER: PartnerKind.EXPORTER,
}


def partner_create(**fields) -> Partner:
    partner = Partner(**{k: v for k, v in fields.items() if k in PARTNER_FIELDS})
    partner.full_clean()
    partner.save()
    return partner


def partner_update(*, partner: Partner, **changes) -> Partner:
    unknown = set(changes) - set(PARTNER_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    if changes.get("kind", partner.kind) != partner.kind and _kind_is_in_use(partner):
        raise ValidationError(
            {"kind": _("This partner has users or contracts that depend on its kind; it cannot change.")}
        )
    if changes.get("logo") is False:  # a form's "clear" box: no logo any more
        changes["logo"] = ""
    for field, value in changes.items():
        setattr(partner, field, value)
    partner.full_clean()
    partner.save(update_fields=[*changes, "updated_at"])
    return partner


def _kind_is_in_use(partner: Partner) -> bool:
    return (
        partner.memberships.exists()
        or partner.contracts_as_exporter.exists()
        or partner.contracts_as_counterparty.exists()
    )


def partner_delete(*, partner: Partner) -> None:
    partner.soft_delete()


def partner_restore(*, partner: Partner) -> Partner:
    partner.restore()  # refused if its RUC was given to a new partner meanwhile
    return partner


# --- users and their partner ---------------------------------------------------------


def _validate_binding(role: str, partner: Partner | None) -> None:
    if role in (Role.CENTER, Role.SUPPLIER) and partner is None:
        raise ValidationError(
            {"partner": _("Collection center and supplier users must be bound to their partner.")}
        )
    if role == Role.ADMIN and partner is not None:
        raise ValidationError({"partner": _("Administrators are not bound to a partner.")})
    expected = ROLE_PARTNER_KIND.get(role)
    if partner is not None and expected and partner.kind != expected:
        raise ValidationError(
            {
                "partner": _("A %(role)s user must be bound to a partner of kind %(kind)s.")
                % {"role": Role(role).label, "kind": PartnerKind(expected).label}
            }
        )


def _bind(user: User, partner: Partner | None) -> None:
    if partner is None:
        Membership.objects.filter(user=user).delete()
    else:
        Membership.objects.update_or_create(user=user, defaults={"partner": partner})
    user._partner_id = partner.pk if partner else None


@transaction.atomic
def user_invite(
    *,
    email: str,
    role: str,
    base_url: str,
    full_name: str = "",
    language: str = "es",
    partner: Partner | None = None,
) -> User:
    """Create a user without a password, bind them to their partner and e-mail them a
    set-password link (it expires after PASSWORD_RESET_TIMEOUT)."""
    _validate_binding(role, partner)
    user = user_create(email=email, role=role, full_name=full_name, language=language)
    _bind(user, partner)
    transaction.on_commit(lambda: user_invitation_send(user=user, base_url=base_url), robust=True)
    return user


_UNSET = object()


@transaction.atomic
def user_change(*, user: User, partner=_UNSET, **changes) -> User:
    """Change a user's role, partner, name, language or active flag as their admin."""
    role = changes.get("role", user.role)
    new_partner = partner if partner is not _UNSET else _current_partner(user)
    if role == Role.ADMIN and partner is _UNSET:
        new_partner = None  # becoming an admin ends a partner binding
    _validate_binding(role, new_partner)
    user_validate_update(user=user, changes=changes)
    if changes:
        user_update(user=user, **changes)
    _bind(user, new_partner)
    return user


def _current_partner(user: User) -> Partner | None:
    membership = Membership.objects.select_related("partner").filter(user=user).first()
    return membership.partner if membership else None
