"""Reads of the quality module, scoped to what a user may see (erp.access)."""

from django.db.models import BooleanField, Case, OuterRef, Q, QuerySet, Subquery, When
from django.utils import timezone

from erp.access import is_company_side, lots_visible_to, user_partner_id
from erp.lots.models import Lot

from .models import Certificate, QualityAnalysis


def analyses_visible_to(user, analyses: QuerySet) -> QuerySet:
    """Analyses of the live lots the user may see (a center's, a supplier's own)."""
    return analyses.filter(lot__in=lots_visible_to(user, Lot.objects.all()))


def analysis_list(*, user) -> QuerySet[QualityAnalysis]:
    analyses = QualityAnalysis.objects.select_related("lot", "lot__owner", "lot__contract", "analyst")
    return analyses_visible_to(user, analyses)


def certificates_visible_to(user, certificates: QuerySet) -> QuerySet:
    """Company side: all. A partner user: its own partner's and those of its own lots."""
    certificates = certificates.filter(Q(lot__isnull=True) | Q(lot__deleted_at__isnull=True))
    if is_company_side(user):
        return certificates
    partner = user_partner_id(user)
    if partner is None:
        return certificates.none()
    return certificates.filter(Q(partner_id=partner) | Q(lot__owner_id=partner))


def certificate_list(*, user) -> QuerySet[Certificate]:
    return certificates_visible_to(user, Certificate.objects.select_related("lot", "partner"))


def lot_certificates(lot: Lot) -> QuerySet[Certificate]:
    """A lot's own certificates, and its owner's that are valid today."""
    owners = Certificate.objects.filter(partner_id=lot.owner_id).valid_on(timezone.localdate())
    return (Certificate.objects.filter(lot=lot) | owners).select_related("lot", "partner")


def lot_latest_analysis(lot: Lot) -> QualityAnalysis | None:
    return lot.analyses.select_related("analyst").first()


def lots_with_quality_flag(lots: QuerySet[Lot]) -> QuerySet[Lot]:
    """``lots`` annotated with ``quality_failing``: True when the lot's latest analysis fails
    its contract's terms (one subquery, no query per row; for the lot lists)."""
    latest = QualityAnalysis.objects.filter(lot=OuterRef("pk")).order_by("-analysed_at", "-id")
    return lots.annotate(latest_passed=Subquery(latest.values("passed")[:1])).annotate(
        quality_failing=Case(When(latest_passed=False, then=True), default=False, output_field=BooleanField())
    )
