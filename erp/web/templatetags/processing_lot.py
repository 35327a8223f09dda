"""The processing section of a lot's page: ``{% processing_lot_section lot %}``."""

from django import template

register = template.Library()


@register.inclusion_tag("web/processing/_lot_section.html", takes_context=True)
def processing_lot_section(context, lot):
    return {"lot": lot, "request": context.get("request")}
