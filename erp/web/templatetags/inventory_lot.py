"""The inventory section of a lot's page: where its stock lies and its genealogy."""

from django import template

from erp.inventory.models import StockBalance
from erp.lots.api import LotViewSet
from erp.lots.genealogy import lot_genealogy
from erp.lots.selectors import lot_list
from erp.web.access import can, module_licensed

register = template.Library()


@register.inclusion_tag("web/inventory/_lot_section.html", takes_context=True)
def inventory_lot_section(context, lot):
    request = context.get("request")
    if not module_licensed(request, "inventory"):
        return {"shown": False}
    visible = lot_list(user=request.user, include_deleted=True)
    return {
        "shown": True,
        "can_split": can(request.user, LotViewSet, "split") and lot.deleted_at is None,
        "lot": lot,
        "balances": StockBalance.objects.filter(lot=lot, kg__gt=0).select_related("warehouse"),
        "up": lot_genealogy(lot=lot, direction="up", visible=visible),
        "down": lot_genealogy(lot=lot, direction="down", visible=visible),
    }
