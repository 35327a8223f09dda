"""The reception section of a lot's page: ``{% reception_lot_section lot %}``: the receptions
that fed the lot (void ones marked). Shown only when the license includes the reception
module (and to those who may list receptions)."""

from decimal import Decimal

from django import template

from erp.reception.api import ReceptionViewSet
from erp.reception.selectors import reception_list
from erp.web.access import can, module_licensed
from master.licensing.models import Module

register = template.Library()


@register.inclusion_tag("web/reception/_lot_section.html", takes_context=True)
def reception_lot_section(context, lot):
    request = context.get("request")
    show = (
        request is not None
        and module_licensed(request, Module.RECEPTION)
        and can(request.user, ReceptionViewSet, "list")
    )
    receptions = list(reception_list(user=request.user).filter(lot=lot)) if show else []
    total = sum((r.net_weight_kg for r in receptions if not r.is_voided), Decimal("0"))
    return {"show": show, "receptions": receptions, "total_kg": total, "request": request}
