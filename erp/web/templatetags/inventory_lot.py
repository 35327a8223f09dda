"""The inventory section of a lot's page: ``{% inventory_lot_section lot %}``."""

from django import template

register = template.Library()


@register.inclusion_tag("web/inventory/_lot_section.html", takes_context=True)
def inventory_lot_section(context, lot):
    return {"lot": lot, "request": context.get("request")}
