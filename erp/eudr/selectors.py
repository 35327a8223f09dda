"""Reads of the EUDR app: plots a user may see, and a lot's EUDR status through its genealogy."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet, TextChoices
from django.utils.translation import gettext_lazy as _

from erp.access import is_company_side, user_partner_id
from erp.lots.genealogy import lot_lineage_ids
from erp.lots.models import LotLink
from erp.partners.models import Partner, PartnerKind
from erp.reception.models import Reception

from .models import Plot, PlotStatus


class LotEudrStatus(TextChoices):
    VERIFIED = "verified", _("From verified plots")
    UNVERIFIED = "unverified", _("From plots not verified, or receptions without plots")
    UNKNOWN = "unknown", _("No reception behind it")


def plots_visible_to(user, plots: QuerySet | None = None) -> QuerySet:
    """Company-side users see every plot; a supplier its own; a center those of the suppliers
    it has received from."""
    plots = Plot.objects.all() if plots is None else plots
    if is_company_side(user):
        return plots
    partner = user_partner_id(user)
    if partner is None:
        return plots.none()
    received_from = Reception.objects.filter(center_id=partner).values("supplier_id")
    return plots.filter(supplier_id__in=received_from) | plots.filter(supplier_id=partner)


def plot_suppliers_for(user) -> QuerySet:
    """The suppliers whose plots the user may record: any for the company side, its own for a
    supplier, those it received from for a center."""
    suppliers = Partner.objects.filter(kind=PartnerKind.SUPPLIER)
    if is_company_side(user):
        return suppliers
    partner = user_partner_id(user)
    if partner is None:
        return suppliers.none()
    received_from = Reception.objects.filter(center_id=partner).values("supplier_id")
    return suppliers.filter(pk__in=received_from) | suppliers.filter(pk=partner)


def _statuses_sql() -> str:
    quote = connection.ops.quote_name
    links, receptions = quote(LotLink._meta.db_table), quote(Reception._meta.db_table)
    origins = quote(Reception.plots.through._meta.db_table)
    plots = quote(Plot._meta.db_table)
    return f"""
        WITH RECURSIVE walk(root, lot) AS (
            SELECT id, id FROM unnest(%s::bigint[]) AS id
          UNION
            SELECT w.root, l.parent_id FROM {links} l JOIN walk w ON l.child_id = w.lot
        ), origin AS (
            SELECT w.root, r.id,
                   count(p.id) AS plots,
                   count(p.id) FILTER (WHERE p.status = %s AND p.deforestation_free) AS verified
              FROM walk w
              JOIN {receptions} r ON r.lot_id = w.lot AND r.voided_at IS NULL
              LEFT JOIN {origins} o ON o.reception_id = r.id
              LEFT JOIN {plots} p ON p.id = o.plot_id
             GROUP BY w.root, r.id
        )
        SELECT root, count(*) FILTER (WHERE plots = 0 OR verified < plots) FROM origin GROUP BY root
    """


def lot_eudr_statuses(*, lot_ids) -> dict[int, str]:
    """Each lot's status from every valid reception behind it (one recursive query for all):
    verified when each of them names its plots and every one of those plots is verified and
    declared deforestation-free."""
    ids = sorted(set(lot_ids))
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_statuses_sql(), ["{" + ",".join(map(str, ids)) + "}", PlotStatus.VERIFIED])
        failing = dict(cursor.fetchall())
    return {
        pk: LotEudrStatus.UNKNOWN
        if pk not in failing
        else (LotEudrStatus.VERIFIED if failing[pk] == 0 else LotEudrStatus.UNVERIFIED)
        for pk in ids
    }


def lot_eudr_status(*, lot) -> str:
    return lot_eudr_statuses(lot_ids=[lot.pk])[lot.pk]


@dataclass(frozen=True)
class LotOrigin:
    status: str
    receptions: int
    receptions_without_plots: int
    plots: list


def lot_origin(*, lot) -> LotOrigin:
    """The receptions behind a lot (its genealogy up) and the plots they came from."""
    receptions = Reception.objects.valid().filter(lot_id__in=lot_lineage_ids(lot=lot, direction="up"))
    plots = Plot.objects.filter(receptions__in=receptions).distinct().order_by("code")
    return LotOrigin(
        status=lot_eudr_status(lot=lot),
        receptions=receptions.count(),
        receptions_without_plots=receptions.filter(plots__isnull=True).count(),
        plots=list(plots.select_related("supplier")),
    )
