"""``{% remote_grant_panel ticket %}``: the remote access panel of a ticket's page (for the
company's administrators; the ticket page includes ``support/remote/_grant_panel.html``)."""

from django import template

from support.remote.forms import GrantForm
from support.remote.selectors import grants_active_for_company

register = template.Library()


@register.inclusion_tag("support/remote/_grant_panel_body.html", takes_context=True)
def remote_grant_panel(context, ticket):
    request = context["request"]
    in_support_session = getattr(request, "support_grant", None) is not None
    return {
        "request": request,
        "ticket": ticket,
        "grants": grants_active_for_company(company=request.company, ticket=ticket),
        "form": None if in_support_session else GrantForm(suggested_staff_id=ticket.assignee_id),
        "in_support_session": in_support_session,
        "csrf_token": context.get("csrf_token"),
    }
