"""The ledger section of a lot's page: ``{% ledger_lot_section lot %}``."""

from django import template

register = template.Library()


@register.inclusion_tag("web/ledger/_lot_section.html", takes_context=True)
def ledger_lot_section(context, lot):
    return {"lot": lot, "request": context.get("request")}
