"""Remote access on a company site: its administrators grant access from a ticket, list
the grants and end one; and the start link that opens a support session.

Only the company's administrators (role ``admin``) may open the grant pages; anyone else
gets the 403 page, another company's grant or ticket is a 404. In a support session the
middleware refuses every write here (support cannot grant itself more time).
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from erp.web.forms_support import paginate
from support.tickets.models import Ticket
from support.tickets.selectors import ticket_get_for_company_user
from triboka.accounts.models import Role
from triboka.errors import ApplicationError

from . import selectors, services
from .forms import GrantForm
from .models import EndReason, RemoteAccessGrant


def company_admin_required(view):
    """A signed-in administrator of this company (a 404 on the root domain)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "company", None) is None:
            raise Http404
        if request.user.role != Role.ADMIN:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.allowed_roles = frozenset({Role.ADMIN})  # read by the navigation and the tests
    return wrapper


@company_admin_required
@require_GET
def grant_list(request):
    grants = selectors.grant_list_for_company(company=request.company)
    return render(request, "support/remote/grant_list.html", {"page": paginate(request, grants)})


@company_admin_required
@require_POST
def grant_create(request, ticket_pk):
    try:
        ticket = ticket_get_for_company_user(user=request.user, company=request.company, pk=ticket_pk)
    except Ticket.DoesNotExist:
        raise Http404 from None
    form = GrantForm(request.POST)
    if form.is_valid():
        try:
            grant = services.remote_access_grant(
                company=request.company,
                granted_by=request.user,
                staff_user_id=form.cleaned_data["staff"],
                minutes=form.cleaned_data["minutes"],
                ticket=ticket,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(name)s may act on this site until %(time)s. You can end it at any time.")
                % {"name": grant.staff_name, "time": services.clock_time(grant.ends_at)},
            )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("support_ticket_detail", pk=ticket.pk)


@company_admin_required
@require_POST
def grant_end(request, pk):
    try:
        grant = selectors.grant_get_for_company(company=request.company, pk=pk)
    except RemoteAccessGrant.DoesNotExist:
        raise Http404 from None
    if services.remote_access_end(grant=grant, reason=EndReason.REVOKED, ended_by_email=request.user.email):
        messages.success(request, _("The access of %(name)s has ended.") % {"name": grant.staff_name})
    else:
        messages.info(request, _("That access had already ended."))
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("support_remote_grant_list")


@require_GET
def session_start(request, token):
    """The link staff follow from the master admin. Without an active grant: 403."""
    if getattr(request, "company", None) is None:
        raise Http404
    try:
        services.support_session_start(request=request, token=token)
    except ApplicationError as error:
        body = render_to_string("support/remote/refused.html", {"message": error.message})
        return HttpResponse(body, status=error.status_code)
    return redirect("web:dashboard")
