"""The inventory section of a lot's page: where its stock lies and its genealogy."""

from django import template

from erp.inventory.models import StockBalance
from erp.lots.api import LotViewSet
from erp.lots.genealogy import lot_genealogy
from erp.lots.selectors import lot_list
from erp.web.access import can, module_licensed

register = template.Library()

# A page shows this many lots of each genealogy, depth first; the API answers the whole of it
# (11,110 lots made a 1.5 MB page that took 2 s to draw).
PAGE_LOTS = 200


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
        "up": _pruned(lot_genealogy(lot=lot, direction="up", visible=visible), PAGE_LOTS),
        "down": _pruned(lot_genealogy(lot=lot, direction="down", visible=visible), PAGE_LOTS),
    }


def _pruned(tree: dict, limit: int) -> dict:
    """The tree with its first ``limit`` lots below the root, depth first, and how many it
    has in all (``total``, ``shown``)."""
    shown = 0

    def copy(node):
        nonlocal shown
        kept = []
        for child in node["lots"]:
            if shown == limit:
                break
            shown += 1
            kept.append(copy(child))
        return {**node, "lots": kept}

    pruned = copy(tree)
    pruned["shown"], pruned["total"] = shown, _count(tree) - 1
    return pruned


def _count(tree: dict) -> int:
    count, pending = 0, [tree]
    while pending:
        node = pending.pop()
        count += 1
        pending.extend(node["lots"])
    return count
