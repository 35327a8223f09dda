"""Who may see what in a company's ERP: the one place for role and partner scoping.

Company-side users (admin, exporter) work on everything of the company. Partner-bound
users (center, supplier) see only what concerns their own partner: its record, its lots,
the contracts where it is a party and those contracts' documents. An unbound partner user
sees nothing.
"""

from django.db.models import Q, QuerySet
from rest_framework.permissions import BasePermission

from triboka.accounts.models import Role

ADMIN = frozenset({Role.ADMIN})
COMPANY_SIDE = frozenset({Role.ADMIN, Role.EXPORTER})
WITH_CENTERS = frozenset({Role.ADMIN, Role.EXPORTER, Role.CENTER})
EVERYONE = frozenset({Role.ADMIN, Role.EXPORTER, Role.CENTER, Role.SUPPLIER})


def is_company_side(user) -> bool:
    return getattr(user, "role", None) in COMPANY_SIDE


def user_partner_id(user) -> int | None:
    """The partner a user is bound to (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_partner_id"):
        from erp.partners.models import Membership

        # A deleted partner's users see nothing until it is restored or they are rebound.
        user._partner_id = (
            Membership.objects.filter(user_id=user.pk, partner__deleted_at__isnull=True)
            .values_list("partner_id", flat=True)
            .first()
        )
    return user._partner_id


def partners_visible_to(user, partners: QuerySet) -> QuerySet:
    if is_company_side(user):
        return partners
    return partners.filter(pk=user_partner_id(user)) if user_partner_id(user) else partners.none()


def contracts_visible_to(user, contracts: QuerySet) -> QuerySet:
    if is_company_side(user):
        return contracts
    partner = user_partner_id(user)
    if partner is None:
        return contracts.none()
    return contracts.filter(Q(counterparty_id=partner) | Q(exporter_id=partner))


def lots_visible_to(user, lots: QuerySet) -> QuerySet:
    if is_company_side(user):
        return lots
    partner = user_partner_id(user)
    return lots.filter(owner_id=partner) if partner else lots.none()


def documents_visible_to(user, documents: QuerySet) -> QuerySet:
    documents = documents.filter(contract__deleted_at__isnull=True)  # they go with their contract
    if is_company_side(user):
        return documents
    partner = user_partner_id(user)
    if partner is None:
        return documents.none()
    return documents.filter(Q(contract__counterparty_id=partner) | Q(contract__exporter_id=partner))


class EveryAction(dict):
    """``action_roles`` of a view whose every action is allowed to the same roles."""

    def __init__(self, roles: frozenset):
        super().__init__()
        self.roles = roles

    def __getitem__(self, action: str) -> frozenset:
        return self.roles

    def get(self, action: str, default=None) -> frozenset:
        return self.roles


class ActionRoles(BasePermission):
    """Allows a request when the user's role is listed for the view's action.

    Views declare ``action_roles = {"list": EVERYONE, "create": COMPANY_SIDE, ...}``
    (viewset actions, or lowercase HTTP methods for plain views); anything not listed is
    refused. Row-level scoping is done by the view's queryset, through the functions above.
    """

    message = "Your role does not allow this action."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        action = getattr(view, "action", None) or request.method.lower()
        if action == "metadata" or request.method == "OPTIONS":
            return True
        return user.role in view.action_roles.get(action, frozenset())


def visible_partners(request):
    """Choices for a partner filter or field: only the partners the user may see."""
    from erp.partners.models import Partner

    return partners_visible_to(request.user, Partner.objects.all()) if request else Partner.objects.none()


def visible_contracts(request):
    from erp.contracts.models import Contract

    return contracts_visible_to(request.user, Contract.objects.all()) if request else Contract.objects.none()


def contract_participants(contract):
    """Active users who take part in a contract: the company side, and the users of its
    exporter and counterparty partners."""
    from triboka.accounts.models import User

    return User.objects.filter(is_active=True).filter(
        Q(role__in=COMPANY_SIDE)
        | Q(
            membership__partner_id__in=[contract.exporter_id, contract.counterparty_id],
            membership__partner__deleted_at__isnull=True,
        )
    )


def lot_watchers(lot):
    """Active users who follow a lot: the company side and the users of its owner partner."""
    from triboka.accounts.models import User

    return User.objects.filter(is_active=True).filter(
        Q(role__in=COMPANY_SIDE)
        | Q(membership__partner_id=lot.owner_id, membership__partner__deleted_at__isnull=True)
    )


def partner_users(partner_id: int):
    """Active users bound to a partner."""
    from triboka.accounts.models import User

    return User.objects.filter(
        is_active=True, membership__partner_id=partner_id, membership__partner__deleted_at__isnull=True
    )
