"""Reads of billing: the licenses the daily job works on, who is told, and revenue."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth
from django_tenants.utils import tenant_context

from master.companies.models import Company, CompanyStatus, UserDirectoryEntry
from master.licensing.models import License, LicenseStatus
from triboka.accounts.models import Role, User

from .models import Invoice


def licenses_in_force(*, today: date) -> QuerySet[License]:
    """Each active company's license in force (its newest that has started, as enforcement
    reads it), when that license is active and expires: the only ones billing acts on. An
    older license left in the history is never invoiced nor reminded about."""
    newest = (
        License.objects.filter(company=OuterRef("company"), starts_on__lte=today)
        .order_by("-starts_on", "-pk")
        .values("pk")[:1]
    )
    return License.objects.filter(
        pk=Subquery(newest),
        company__status=CompanyStatus.ACTIVE,
        status=LicenseStatus.ACTIVE,
        expires_on__isnull=False,
    ).select_related("company")


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str


def company_admins(company: Company) -> list[Recipient]:
    """The company's active administrators, from the public directory, each with the
    language of their profile (read in the company's schema; Spanish when unknown)."""
    emails = list(
        UserDirectoryEntry.objects.filter(company=company, role=Role.ADMIN, is_active=True)
        .order_by("email")
        .values_list("email", flat=True)
    )
    if not emails:
        return []
    with tenant_context(company):
        languages = dict(User.objects.filter(email__in=emails).values_list("email", "language"))
    return [Recipient(email, languages.get(email) or settings.LANGUAGE_CODE) for email in emails]


def revenue_by_month(*, since: date, until: date) -> list[dict]:
    """Invoiced totals per month of issue and status, one query on the (issued_on, status)
    index: rows of ``{"month": date, "status": str, "total_usd": Decimal, "invoices": int}``.
    Invoiced = every status but void; paid = paid; pending = issued + overdue."""
    from django.db.models import Count

    return list(
        Invoice.objects.filter(issued_on__gte=since, issued_on__lte=until)
        .annotate(month=TruncMonth("issued_on"))
        .values("month", "status")
        .annotate(total_usd=Sum("total_usd"), invoices=Count("pk"))
        .order_by("month", "status")
    )
