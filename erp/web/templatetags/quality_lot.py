"""The quality section of a lot's page: ``{% quality_lot_section lot %}``."""

from django import template

register = template.Library()


@register.inclusion_tag("web/quality/_lot_section.html", takes_context=True)
def quality_lot_section(context, lot):
    return {"lot": lot, "request": context.get("request")}
