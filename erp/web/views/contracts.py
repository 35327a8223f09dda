"""Contracts: list with filters, detail with lots, documents and progress, create, edit,
status buttons, lot assignment, document upload and download."""

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.access import lots_visible_to, partners_visible_to
from erp.chat import services as chat_services
from erp.chat.api import ChatViewSet
from erp.contracts import services
from erp.contracts.api import ContractViewSet
from erp.contracts.models import OPEN_STATUSES, Contract, ContractStatus
from erp.contracts.selectors import contract_list
from erp.documents import services as document_services
from erp.documents import signing
from erp.documents.api import ContractDocumentsView, DocumentViewSet
from erp.documents.models import DocumentAccessAction
from erp.documents.selectors import document_list
from erp.lots.models import Lot
from erp.lots.selectors import lot_list
from erp.partners.models import Partner
from erp.units import kg_to_qq, kg_to_tm, tm_to_kg
from erp.web.access import can, role_required
from erp.web.forms import (
    AssignLotForm,
    ChatForm,
    ContractFilterForm,
    ContractForm,
    DocumentUploadForm,
    TransitionForm,
)
from erp.web.forms_support import call_service, changes_of, paginate
from triboka.errors import ApplicationError


def _contract(request, pk) -> Contract:
    return get_object_or_404(contract_list(user=request.user), pk=pk)


def _partners(request):
    return partners_visible_to(request.user, Partner.objects.filter(is_active=True).order_by("name"))


@role_required(ContractViewSet, "list")
def contract_list_page(request):
    form = ContractFilterForm(request.GET or None, partners=_partners(request))
    contracts = contract_list(user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            contracts = contracts.filter(
                Q(code__icontains=data["q"])
                | Q(counterparty__name__icontains=data["q"])
                | Q(exporter__name__icontains=data["q"])
                | Q(notes__icontains=data["q"])
            )
        if data["status"]:
            contracts = contracts.filter(status=data["status"])
        if data["counterparty"]:
            contracts = contracts.filter(counterparty=data["counterparty"])
    return render(
        request,
        "web/contracts/list.html",
        {
            "form": form,
            "page": paginate(request, contracts),
            "can_create": can(request.user, ContractViewSet, "create"),
        },
    )


@role_required(ContractViewSet, "retrieve")
def contract_detail(request, pk):
    contract = _contract(request, pk)
    return render(request, "web/contracts/detail.html", _detail_context(request, contract))


def _detail_context(request, contract, **forms) -> dict:
    user = request.user
    delivered_kg = contract.delivered_kg
    contracted_kg = tm_to_kg(contract.volume_tm)
    pending_kg = max(contracted_kg - delivered_kg, 0)
    may_assign = can(user, ContractViewSet, "assign_lot")
    room = chat_services.chat_room_for(user=user, contract_id=contract.pk)
    return {
        "chat": {
            "room": room,
            "messages": chat_services.chat_messages_latest(room=room),
            "unread": chat_services.chat_unread_count(room=room, user=user),
            "form": forms.get("chat_form") or ChatForm(),
        },
        "contract": contract,
        "progress": {
            "contracted_kg": contracted_kg,
            "delivered_kg": delivered_kg,
            "pending_kg": pending_kg,
            "contracted_qq": kg_to_qq(contracted_kg),
            "delivered_tm": kg_to_tm(delivered_kg),
            "pending_tm": kg_to_tm(pending_kg),
            "percent": min(100, round(delivered_kg * 100 / contracted_kg)) if contracted_kg else 0,
        },
        "lots": lot_list(user=user).filter(contract=contract).order_by("-created_at")[:200],
        "documents": document_list(user=user).filter(contract=contract).order_by("-uploaded_at"),
        "transitions": [ContractStatus(status) for status in contract.allowed_transitions]
        if can(user, ContractViewSet, "transition")
        else [],
        "can_edit": can(user, ContractViewSet, "update") and contract.status in OPEN_STATUSES,
        "can_upload": request.user.role in ContractDocumentsView.action_roles["post"],
        "upload_form": forms.get("upload_form") or DocumentUploadForm(),
        "assign_form": forms.get("assign_form")
        or (AssignLotForm(lots=_assignable(request), contract=contract) if may_assign else None),
    }


def _assignable(request):
    """The lots the user may name; the service decides whether one may go (parties, status,
    volume, a contract it is under already), as for the API."""
    return lots_visible_to(request.user, Lot.objects.select_related("owner"))


@role_required(ContractViewSet, "create")
def contract_create(request):
    form = ContractForm(request.POST or None, partners=_partners(request))
    if request.method == "POST" and form.is_valid():
        contract = call_service(
            form, lambda: services.contract_create(user=request.user, **form.cleaned_data)
        )
        if contract:
            messages.success(request, _("Contract %(code)s created.") % {"code": contract.code})
            return redirect("web:contract_detail", contract.pk)
    return render(request, "web/contracts/form.html", {"form": form})


@role_required(ContractViewSet, "update")
def contract_edit(request, pk):
    contract = _contract(request, pk)
    if contract.status not in OPEN_STATUSES:
        messages.error(
            request,
            _("A %(status)s contract cannot be edited.") % {"status": contract.get_status_display().lower()},
        )
        return redirect("web:contract_detail", contract.pk)
    form = ContractForm(request.POST or None, instance=contract, partners=_partners(request))
    if request.method == "POST" and form.is_valid():
        changes = changes_of(form)
        fresh = Contract.objects.get(pk=contract.pk)  # the form wrote its input on `contract`
        if call_service(form, lambda: services.contract_update(contract=fresh, **changes)):
            messages.success(request, _("Contract %(code)s saved.") % {"code": contract.code})
            return redirect("web:contract_detail", contract.pk)
    return render(request, "web/contracts/form.html", {"form": form, "contract": contract})


@require_POST
@role_required(ContractViewSet, "transition")
def contract_transition(request, pk):
    contract = _contract(request, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.contract_transition(
                contract=contract, to_status=form.cleaned_data["status"], user=request.user
            )
            messages.success(
                request, _("The contract is now «%(status)s».") % {"status": contract.get_status_display()}
            )
        except ApplicationError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Choose one of the statuses offered."))
    return redirect("web:contract_detail", contract.pk)


@require_POST
@role_required(ContractViewSet, "assign_lot")
def contract_assign_lot(request, pk):
    contract = _contract(request, pk)
    form = AssignLotForm(request.POST, lots=_assignable(request), contract=contract)
    if form.is_valid():
        lot = call_service(
            form,
            lambda: services.contract_assign_lot(
                contract=contract, lot=form.cleaned_data["lot"], user=request.user
            ),
        )
        if lot:
            messages.success(request, _("Lot %(lot)s assigned.") % {"lot": lot.code})
            return redirect("web:contract_detail", contract.pk)
    context = _detail_context(request, contract, assign_form=form)
    return render(request, "web/contracts/detail.html", context, status=400)


@require_POST
@role_required(ContractDocumentsView, "post")
def document_upload(request, pk):
    contract = _contract(request, pk)
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        document = call_service(
            form,
            lambda: document_services.document_upload(
                contract=contract,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
                user=request.user,
            ),
            aliases={"uploaded_file": "file"},
        )
        if document:
            messages.success(request, _("%(name)s uploaded.") % {"name": document.original_name})
            return redirect("web:contract_detail", contract.pk)
    context = _detail_context(request, contract, upload_form=form)
    return render(request, "web/contracts/detail.html", context, status=400)


@role_required(DocumentViewSet, "download")
def document_download(request, pk):
    """Record the download and redirect to the expiring signed link, as the API does."""
    document = get_object_or_404(document_list(user=request.user), pk=pk)
    document_services.document_access_record(
        document=document, user=request.user, action=DocumentAccessAction.DOWNLOAD
    )
    return HttpResponseRedirect(signing.download_url(document=document, request=request))


@require_POST
@role_required(ChatViewSet, "post_message")
def chat_post(request, pk):
    """The chat form of the contract page (without JavaScript; with it, the socket sends)."""
    contract = _contract(request, pk)
    form = ChatForm(request.POST)
    if form.is_valid():
        room = chat_services.chat_room_for(user=request.user, contract_id=contract.pk)
        sent = call_service(
            form,
            lambda: chat_services.chat_message_post(
                room=room, user=request.user, text=form.cleaned_data["text"]
            ),
        )
        if sent:
            return redirect(reverse("web:contract_detail", args=[contract.pk]) + "#chat")
    context = _detail_context(request, contract, chat_form=form)
    return render(request, "web/contracts/detail.html", context, status=400)
