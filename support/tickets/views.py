"""The support pages of a company site: a user's tickets (an administrator's: all of the
company's), opening one (with knowledge base suggestions as the subject is typed), the
thread with replies, reopening, and the satisfaction survey once resolved.

Every company user may open these; what each sees comes from ``selectors`` (someone else's
ticket, or another company's, is a 404). They stay open on an expired license: the
refusal pages tell users to contact support, so support must be reachable.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.web.forms_support import call_service, paginate
from triboka.accounts.models import Role

from . import selectors, services
from .api import attachment_for, attachment_response
from .forms import SatisfactionForm, TicketFilterForm, TicketOpenForm, TicketReplyForm
from .models import Ticket, TicketSource, TicketStatus


def company_user_required(view):
    """A signed-in user of this company (not the root domain's staff)."""

    @login_required
    def wrapper(request, *args, **kwargs):
        if getattr(request, "company", None) is None:
            raise Http404
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    wrapper.allowed_roles = frozenset(Role.values) - {Role.STAFF}  # the permission matrix reads it
    return wrapper


def _ticket(request, pk) -> Ticket:
    try:
        return selectors.ticket_get_for_company_user(user=request.user, company=request.company, pk=pk)
    except Ticket.DoesNotExist:
        raise Http404 from None


@company_user_required
def ticket_list(request):
    form = TicketFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    tickets = selectors.ticket_list_for_company_user(
        user=request.user,
        company=request.company,
        search=filters.get("search", ""),
        status=filters.get("status", ""),
    )
    return render(
        request,
        "support/tickets/list.html",
        {"form": form, "page": paginate(request, tickets), "all_of_company": request.user.role == Role.ADMIN},
    )


@company_user_required
def ticket_create(request):
    form = TicketOpenForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ticket = call_service(
            form,
            lambda: services.ticket_open(
                company=request.company,
                requester=services.Requester.of(request.user),
                subject=data["subject"],
                body=data["body"],
                category=data["category"],
                priority=data["priority"],
                module=data["module"],
                source=TicketSource.WEB,
                attachments=data["files"],
            ),
        )
        if ticket is not None:
            messages.success(
                request,
                _("Ticket %(number)s is open. We will answer by e-mail and here.")
                % {"number": ticket.number},
            )
            return redirect("support_ticket_detail", pk=ticket.pk)
    return render(request, "support/tickets/form.html", {"form": form}, status=400 if form.errors else 200)


@company_user_required
def ticket_detail(request, pk):
    ticket = _ticket(request, pk)
    reply_form = TicketReplyForm()
    survey_form = SatisfactionForm(initial=_survey_initial(ticket))
    if request.method == "POST":
        reply_form = TicketReplyForm(request.POST, request.FILES)
        if reply_form.is_valid() and call_service(
            reply_form,
            lambda: services.ticket_reply(
                ticket=ticket,
                author=services.Author.requester(request.user),
                body=reply_form.cleaned_data["body"],
                attachments=reply_form.cleaned_data["files"],
            ),
        ):
            messages.success(request, _("Your reply was sent."))
            return redirect("support_ticket_detail", pk=ticket.pk)
    return _detail_page(request, ticket, reply_form, survey_form)


def _detail_page(request, ticket, reply_form, survey_form):
    context = {
        "ticket": ticket,
        "thread": selectors.ticket_messages(ticket=ticket, staff=False),
        "reply_form": reply_form,
        "survey_form": survey_form,
        "can_reply": ticket.is_open and not ticket.merged_into_id,
        "can_reopen": ticket.status == TicketStatus.RESOLVED,
        "can_rate": ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
        and not ticket.merged_into_id,
        "is_company_admin": request.user.role == Role.ADMIN,
    }
    errors = reply_form.errors or survey_form.errors
    return render(request, "support/tickets/detail.html", context, status=400 if errors else 200)


def _survey_initial(ticket) -> dict:
    answer = getattr(ticket, "satisfaction", None)  # RelatedObjectDoesNotExist is an AttributeError
    return {"rating": answer.rating, "comment": answer.comment} if answer else {}


@require_POST
@company_user_required
def ticket_reopen(request, pk):
    ticket = _ticket(request, pk)
    if ticket.requester_user_id != request.user.pk and request.user.role != Role.ADMIN:
        raise PermissionDenied
    try:
        services.ticket_reopen(ticket=ticket)
    except services.ApplicationError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The ticket is open again."))
    return redirect("support_ticket_detail", pk=ticket.pk)


@require_POST
@company_user_required
def ticket_rate(request, pk):
    ticket = _ticket(request, pk)
    form = SatisfactionForm(request.POST)
    if form.is_valid() and call_service(
        form, lambda: services.satisfaction_answer(ticket=ticket, **form.cleaned_data), aliases={}
    ):
        messages.success(request, _("Thank you for your answer."))
        return redirect("support_ticket_detail", pk=ticket.pk)
    return _detail_page(request, ticket, TicketReplyForm(), form)


@company_user_required
def attachment_download(request, pk):
    return attachment_response(attachment_for(request, pk))
