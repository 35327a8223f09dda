"""Pages of the ledger module: the company's chain with a "verify now" button, a lot's
verification code and certificate (company side), and the public page where anyone checks a
code (``/verify/<code>/``, no login, outside every license module)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.access import lots_visible_to
from erp.ledger import selectors, services
from erp.ledger.api import (
    LedgerEntryViewSet,
    LedgerVerifyView,
    LotCertificateView,
    LotCodeView,
    certificate_response,
)
from erp.lots.models import Lot
from erp.web.access import can, role_required
from erp.web.forms_support import paginate

PER_PAGE = 50


def _entries_page(request, report=None, status: int = 200):
    entries = selectors.entries_visible_to(request.user).order_by("-seq")
    lot_code = (request.GET.get("lot") or "").strip()
    if lot_code:
        entries = entries.filter(lot_code=lot_code)
    page = paginate(request, entries, per_page=PER_PAGE)
    for entry in page:
        entry.kind_label = selectors.kind_label(entry.kind)
    context = {
        "page": page,
        "lot_code": lot_code,
        "report": report,
        "can_verify": can(request.user, LedgerVerifyView, "get"),
    }
    return render(request, "web/ledger/entry_list.html", context, status=status)


@role_required(LedgerEntryViewSet, "list")
def entry_list(request):
    return _entries_page(request)


@require_POST
@role_required(LedgerVerifyView, "get")
def verify_now(request):
    """Runs the verification and shows the list with its result."""
    return _entries_page(request, report=services.ledger_verify())


def _lot(request, pk) -> Lot:
    return get_object_or_404(lots_visible_to(request.user, Lot.objects.all()), pk=pk)


@require_POST
@role_required(LotCodeView, "post")
def lot_code_issue(request, pk):
    issued, created = services.verification_code_issue(lot=_lot(request, pk), user=request.user)
    if created:
        messages.success(request, _("Verification code %(code)s issued.") % {"code": issued.code})
    else:
        messages.info(request, _("The lot already has the code %(code)s; it stays.") % {"code": issued.code})
    return redirect("web:lot_detail", pk=pk)


@role_required(LotCertificateView, "get")
def lot_certificate(request, pk):
    lot = _lot(request, pk)
    issued = selectors.verification_code_of(lot)
    if issued is None:
        messages.error(request, _("Issue the lot's verification code first."))
        return redirect("web:lot_detail", pk=pk)
    return certificate_response(request, lot=lot, code=issued.code)


def verify_public(request, code):
    """Anyone with the code sees the lot's chain of custody (no prices) and whether the
    company's chain verifies intact up to its last entry."""
    issued = selectors.verification_code_find(code)
    if issued is None:
        raise Http404
    lot = issued.lot
    entries = selectors.custody_entries(lot)
    last_seq = max((entry.seq for entry in entries), default=0)
    report = services.ledger_verify_remembered(up_to_seq=last_seq) if last_seq else None
    context = {"issued": issued, "lot": lot, "entries": entries, "report": report, "last_seq": last_seq}
    response = render(request, "web/ledger/verify_public.html", context)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [
    path("ledger/", entry_list, name="ledger_entries"),
    path("ledger/verify/", verify_now, name="ledger_verify"),
    path("ledger/lots/<int:pk>/code/", lot_code_issue, name="ledger_lot_code"),
    path("ledger/lots/<int:pk>/certificate/", lot_certificate, name="ledger_lot_certificate"),
    path("verify/<str:code>/", verify_public, name="ledger_verify_public"),
]
