"""The ledger section of a lot's page: ``{% ledger_lot_section lot %}``: the lot's entry count,
its verification code with the public page and the certificate, or the button that issues it."""

from django import template

from erp.access import is_company_side
from erp.ledger import selectors
from erp.ledger.api import LotCodeView
from erp.web.access import can, module_licensed
from master.licensing.models import Module

register = template.Library()


@register.inclusion_tag("web/ledger/_lot_section.html", takes_context=True)
def ledger_lot_section(context, lot):
    request = context.get("request")
    if request is None or not module_licensed(request, Module.LOTS):  # the ledger goes with lots
        return {"show": False}
    return {
        "show": True,
        "lot": lot,
        "request": request,
        "entries": selectors.lot_entry_count(lot),
        "issued": selectors.verification_code_of(lot),
        "company_side": is_company_side(request.user) and can(request.user, LotCodeView, "post"),
    }
