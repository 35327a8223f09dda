"""The reception section of a lot's page: ``{% reception_lot_section lot %}``."""

from django import template

register = template.Library()


@register.inclusion_tag("web/reception/_lot_section.html", takes_context=True)
def reception_lot_section(context, lot):
    return {"lot": lot, "request": context.get("request")}
