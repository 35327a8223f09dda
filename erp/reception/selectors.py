"""Reads of receptions, scoped: the company side sees every reception; a collection center
those at itself; a supplier those it delivered. An unbound partner user sees none."""

from django.db.models import QuerySet

from erp.access import is_company_side, user_partner_id
from triboka.accounts.models import Role

from .models import Reception


def receptions_visible_to(user, receptions: QuerySet | None = None) -> QuerySet[Reception]:
    receptions = Reception.objects.all() if receptions is None else receptions
    if is_company_side(user):
        return receptions
    partner = user_partner_id(user)
    if partner is None:
        return receptions.none()
    if getattr(user, "role", None) == Role.CENTER:
        return receptions.filter(center_id=partner)
    return receptions.filter(supplier_id=partner)


def reception_list(*, user) -> QuerySet[Reception]:
    return receptions_visible_to(
        user, Reception.objects.select_related("center", "supplier", "lot", "created_by", "contract")
    )


def readings_unassigned(*, user, center_id: int | None, limit: int = 30):
    """The center's recent scale readings with a net weight, not yet in a lot or reception."""
    from iot.selectors import readings_visible_to

    readings = readings_visible_to(user).filter(
        lot__isnull=True, reception__isnull=True, net_kg__isnull=False
    )
    if center_id:
        readings = readings.filter(device__location_id=center_id)
    return readings.select_related("device").order_by("-measured_at", "-id")[:limit]
