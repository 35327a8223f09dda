"""Who sees which tickets, in one place.

On a company site a user sees only its company's tickets: an administrator all of them,
anyone else only those they opened. Staff on the root domain see every ticket. A ticket
outside what a user may see does not exist for them (404), by id, list, search or file.
"""

from django.db.models import Q, QuerySet

from triboka.accounts.models import Role

from .models import Ticket, TicketAttachment, TicketMessage


def ticket_list_for_company_user(*, user, company, search: str = "", status: str = "") -> QuerySet[Ticket]:
    tickets = Ticket.objects.of_company(company).select_related("company")
    if user.role != Role.ADMIN:
        tickets = tickets.filter(requester_user_id=user.pk)
    return _filtered(tickets, search=search, status=status)


def ticket_get_for_company_user(*, user, company, pk) -> Ticket:
    """The ticket, or Ticket.DoesNotExist when the user may not see it."""
    return ticket_list_for_company_user(user=user, company=company).get(pk=pk)


def ticket_list_for_staff(*, search: str = "", status: str = "", company_slug: str = "") -> QuerySet[Ticket]:
    tickets = Ticket.objects.select_related("company", "assignee")
    if company_slug:
        tickets = tickets.filter(company__slug=company_slug)
    return _filtered(tickets, search=search, status=status)


def ticket_messages(*, ticket: Ticket, staff: bool) -> QuerySet[TicketMessage]:
    """The thread; internal notes only for staff."""
    messages = ticket.messages.prefetch_related("attachments")
    return messages if staff else messages.filter(is_internal=False)


def attachment_get_for_company_user(*, user, company, pk) -> TicketAttachment:
    visible = ticket_list_for_company_user(user=user, company=company)
    return TicketAttachment.objects.select_related("message__ticket__company").get(
        pk=pk, message__ticket__in=visible, message__is_internal=False
    )


def attachment_get_for_staff(*, pk) -> TicketAttachment:
    return TicketAttachment.objects.select_related("message__ticket__company").get(pk=pk)


def _filtered(tickets: QuerySet[Ticket], *, search: str, status: str) -> QuerySet[Ticket]:
    if status:
        tickets = tickets.filter(status=status)
    search = (search or "").strip()
    if search:
        tickets = tickets.filter(Q(number__iexact=search) | Q(subject__icontains=search))
    return tickets
