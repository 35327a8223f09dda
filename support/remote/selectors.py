"""Reads of remote access grants and support agents.

Staff members are users of the public schema: on a company site the company's own
``accounts_user`` shadows that table, so they are read under ``schema_context("public")``.
"""

from django.db import connection
from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name, schema_context

from triboka.accounts.models import User

from .models import RemoteAccessGrant, SupportAgent


def staff_member_choices() -> list[tuple[int, str]]:
    """The active Triboka staff a company may grant access to, as (id, label)."""
    with schema_context(get_public_schema_name()):
        return [
            (user.pk, f"{user.get_full_name()} <{user.email}>" if user.full_name else user.email)
            for user in User.objects.filter(is_staff=True, is_active=True).order_by("full_name", "email")
        ]


def staff_member_get(*, user_id: int) -> User | None:
    """An active staff member of the public schema, or None."""
    with schema_context(get_public_schema_name()):
        return User.objects.filter(pk=user_id, is_staff=True, is_active=True).first()


def grant_list_for_company(*, company) -> QuerySet[RemoteAccessGrant]:
    return RemoteAccessGrant.objects.of_company(company).select_related("ticket")


def grant_get_for_company(*, company, pk: int) -> RemoteAccessGrant:
    """One of the company's grants; DoesNotExist for another company's."""
    return RemoteAccessGrant.objects.of_company(company).get(pk=pk)


def grants_active_for_company(*, company, ticket=None) -> list[RemoteAccessGrant]:
    grants = RemoteAccessGrant.objects.of_company(company).active()
    if ticket is not None:
        grants = grants.filter(ticket=ticket)
    return list(grants.order_by("ends_at"))


def support_agent_user_ids() -> QuerySet:
    """Ids of the support agents among the current schema's users, as a subquery: real users
    are ``User.objects.exclude(pk__in=support_agent_user_ids())`` (one query, whatever the
    schema's tenant object is)."""
    return SupportAgent.objects.filter(company__schema_name=connection.schema_name).values("user_id")


def is_support_agent(*, company_id: int, user_id: int) -> bool:
    return SupportAgent.objects.filter(company_id=company_id, user_id=user_id).exists()
