"""What stock a user may see, and stock added up by warehouse, form, variety and grade."""

from django.db.models import Q, QuerySet, Sum

from erp.access import is_company_side, user_partner_id

from .models import StockBalance, StockMovement, Warehouse


def warehouses_visible_to(user, warehouses: QuerySet | None = None) -> QuerySet:
    warehouses = Warehouse.objects.all() if warehouses is None else warehouses
    if is_company_side(user):
        return warehouses
    partner = user_partner_id(user)
    return warehouses.filter(center_id=partner) if partner else warehouses.none()


def _own(user, queryset: QuerySet) -> QuerySet:
    """A center sees the stock in its warehouses and of its own lots."""
    if is_company_side(user):
        return queryset
    partner = user_partner_id(user)
    if partner is None:
        return queryset.none()
    return queryset.filter(
        Q(lot__owner_id=partner) | Q(**{_warehouse_field(queryset) + "__center_id": partner})
    )


def _warehouse_field(queryset: QuerySet) -> str:
    return "warehouse" if queryset.model is StockBalance else "to_warehouse"


def balances_visible_to(user) -> QuerySet:
    return _own(user, StockBalance.objects.filter(kg__gt=0).select_related("lot", "warehouse"))


def movements_visible_to(user) -> QuerySet:
    movements = StockMovement.objects.select_related("lot", "from_warehouse", "to_warehouse", "user")
    return _own(user, movements)


def stock_summary(balances: QuerySet) -> list[dict]:
    """kg per warehouse, form, variety and grade (one GROUP BY)."""
    return list(
        balances.values("warehouse_id", "warehouse__name", "lot__form", "lot__variety", "lot__grade")
        .annotate(kg=Sum("kg"))
        .order_by("warehouse__name", "lot__form", "lot__variety", "lot__grade")
    )
