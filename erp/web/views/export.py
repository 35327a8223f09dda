"""Pages of the sales and export module: sales contracts (list, form, detail with status, price
fixing and shipments) and shipments (list, form, detail with containers and their lots,
documents, the generated PDFs, the checklist and the EUDR due diligence pack). Roles come from
the API actions they mirror; rows from the same scoped selectors; every write is a service's."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from erp.access import contracts_visible_to, lots_visible_to, partners_visible_to
from erp.contracts.models import Contract, PriceType
from erp.export import dds, selectors, services
from erp.export.api import (
    ContainerViewSet,
    LoadViewSet,
    SalesContractViewSet,
    ShipmentDocumentViewSet,
    ShipmentViewSet,
)
from erp.export.checklist import shipment_checklist
from erp.export.dds_api import DueDiligenceView
from erp.export.models import SalesContract, SalesStatus, Shipment, ShipmentStatus
from erp.inventory.selectors import balances_visible_to, warehouses_visible_to
from erp.lots.models import Lot, ProductForm
from erp.partners.models import Partner, PartnerKind
from erp.web.access import can, module_licensed, role_required
from erp.web.forms_export import (
    ContainerForm,
    FixPriceForm,
    LoadForm,
    SalesContractForm,
    SalesFilterForm,
    SalesStatusForm,
    ShipmentDocumentForm,
    ShipmentForm,
    ShipmentStatusForm,
)
from erp.web.forms_support import call_service, changes_of, paginate
from master.licensing.models import Module

SUGGESTED_LOTS = 100  # lots in stock offered beside the load form's lot code


def _status_change(request, form, change, done: str) -> None:
    """A status button's POST: the service's answer, or its refusal, as a message."""
    if not form.is_valid():
        messages.error(request, _("Choose one of the statuses offered."))
        return
    try:
        changed = change(form.cleaned_data["status"])
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, done % {"status": changed.get_status_display()})


def _refused(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# --- Sales contracts -------------------------------------------------------------------


def _sale(request, pk) -> SalesContract:
    return get_object_or_404(selectors.sales_contract_list(user=request.user), pk=pk)


def _partners(request):
    return partners_visible_to(request.user, Partner.objects.filter(is_active=True))


def _sale_form(request, instance=None) -> SalesContractForm:
    return SalesContractForm(
        request.POST or None,
        instance=instance,
        partners=_partners(request),
        purchase_contracts=contracts_visible_to(request.user, Contract.objects.all()),
    )


@role_required(SalesContractViewSet, "list")
def sales_list(request):
    buyers = _partners(request).filter(kind=PartnerKind.BUYER).order_by("name")
    form = SalesFilterForm(request.GET or None, buyers=buyers)
    sales = selectors.sales_contract_list(user=request.user)
    if form.is_valid():
        sales = form.apply(sales)
    context = {
        "form": form,
        "page": paginate(request, sales),
        "can_create": can(request.user, SalesContractViewSet, "create"),
    }
    return render(request, "web/export/sales_list.html", context)


@role_required(SalesContractViewSet, "create")
def sales_create(request):
    form = _sale_form(request)
    if request.method == "POST" and form.is_valid():
        sale = call_service(
            form, lambda: services.sales_contract_create(user=request.user, **form.cleaned_data)
        )
        if sale:
            messages.success(request, _("Sales contract %(code)s saved.") % {"code": sale.code})
            return redirect("web:export_sales_detail", sale.pk)
    return render(request, "web/export/sales_form.html", {"form": form})


@role_required(SalesContractViewSet, "update")
def sales_edit(request, pk):
    sale = _sale(request, pk)
    if sale.status in services.CLOSED_SALES:
        messages.error(
            request,
            _("A %(status)s sales contract cannot be edited.")
            % {"status": sale.get_status_display().lower()},
        )
        return redirect("web:export_sales_detail", sale.pk)
    form = _sale_form(request, instance=sale)
    if request.method == "POST" and form.is_valid():
        changes = changes_of(form)
        if not changes or call_service(
            form,
            lambda: services.sales_contract_update(sales_contract=sale, user=request.user, **changes),
        ):
            messages.success(request, _("Sales contract %(code)s saved.") % {"code": sale.code})
            return redirect("web:export_sales_detail", sale.pk)
    return render(request, "web/export/sales_form.html", {"form": form, "sale": sale})


def _sales_page(request, sale: SalesContract, *, fix_form=None, status=200):
    user = request.user
    fixable = sale.price_type == PriceType.DIFFERENTIAL and sale.status != SalesStatus.CANCELLED
    context = {
        "sale": sale,
        "purchase_contracts": sale.purchase_contracts.select_related("counterparty").order_by("code"),
        "shipments": selectors.shipment_list(user=user).filter(sales_contract=sale),
        "transitions": [SalesStatus(s) for s in sorted(services.SALES_TRANSITIONS[SalesStatus(sale.status)])]
        if can(user, SalesContractViewSet, "set_status")
        else [],
        "fix_form": (fix_form or FixPriceForm())
        if fixable and can(user, SalesContractViewSet, "fix_price")
        else None,
        "can_edit": can(user, SalesContractViewSet, "update") and sale.status not in services.CLOSED_SALES,
        "can_delete": can(user, SalesContractViewSet, "destroy") and sale.status == SalesStatus.DRAFT,
        "can_ship": can(user, ShipmentViewSet, "create") and sale.status not in services.CLOSED_SALES,
    }
    return render(request, "web/export/sales_detail.html", context, status=status)


@role_required(SalesContractViewSet, "retrieve")
def sales_detail(request, pk):
    return _sales_page(request, _sale(request, pk))


@require_POST
@role_required(SalesContractViewSet, "set_status")
def sales_status(request, pk):
    sale = _sale(request, pk)
    _status_change(
        request,
        SalesStatusForm(request.POST),
        lambda status: services.sales_contract_set_status(
            sales_contract=sale, status=status, user=request.user
        ),
        _("The sales contract is now «%(status)s»."),
    )
    return redirect("web:export_sales_detail", sale.pk)


@require_POST
@role_required(SalesContractViewSet, "fix_price")
def sales_fix_price(request, pk):
    sale = _sale(request, pk)
    form = FixPriceForm(request.POST)
    if form.is_valid():
        fixed = call_service(
            form,
            lambda: services.sales_contract_fix_price(
                sales_contract=sale, user=request.user, **form.service_fields()
            ),
        )
        if fixed:
            messages.success(
                request,
                _("Price fixed at %(price)s USD/TM.") % {"price": fixed.fixed_price_usd_per_tm},
            )
            return redirect("web:export_sales_detail", sale.pk)
    return _sales_page(request, sale, fix_form=form, status=400)


@require_POST
@role_required(SalesContractViewSet, "destroy")
def sales_delete(request, pk):
    sale = _sale(request, pk)
    try:
        services.sales_contract_delete(sales_contract=sale, user=request.user)
    except ValidationError as error:
        _refused(request, error)
        return redirect("web:export_sales_detail", sale.pk)
    messages.success(request, _("Sales contract %(code)s deleted.") % {"code": sale.code})
    return redirect("web:export_sales_list")


# --- Shipments -------------------------------------------------------------------------


def _shipments(request):
    return selectors.shipment_list(user=request.user)


def _shipment(request, pk) -> Shipment:
    return get_object_or_404(_shipments(request), pk=pk)


@role_required(ShipmentViewSet, "list")
def shipment_list(request):
    context = {
        "page": paginate(request, _shipments(request)),
        "can_create": can(request.user, ShipmentViewSet, "create"),
    }
    return render(request, "web/export/shipment_list.html", context)


def _open_sales(request):
    sales = selectors.sales_contract_list(user=request.user).exclude(status__in=services.CLOSED_SALES)
    return sales.select_related("buyer")


@role_required(ShipmentViewSet, "create")
def shipment_create(request):
    sales = _open_sales(request)
    initial = {"sales_contract": request.GET["sale"]} if request.GET.get("sale", "").isdigit() else {}
    form = ShipmentForm(request.POST or None, sales=sales, initial=initial)
    if request.method == "POST" and form.is_valid():
        shipment = call_service(
            form, lambda: services.shipment_create(user=request.user, **form.service_fields())
        )
        if shipment:
            messages.success(request, _("Shipment %(code)s saved.") % {"code": shipment.code})
            return redirect("web:export_shipment_detail", shipment.pk)
    return render(request, "web/export/shipment_form.html", {"form": form, "no_sales": not sales.exists()})


@role_required(ShipmentViewSet, "update")
def shipment_edit(request, pk):
    shipment = _shipment(request, pk)
    form = ShipmentForm(request.POST or None, instance=shipment)
    if request.method == "POST" and form.is_valid():
        changes = changes_of(form)
        if not changes or call_service(
            form, lambda: services.shipment_update(shipment=shipment, user=request.user, **changes)
        ):
            messages.success(request, _("Shipment %(code)s saved.") % {"code": shipment.code})
            return redirect("web:export_shipment_detail", shipment.pk)
    return render(request, "web/export/shipment_form.html", {"form": form, "shipment": shipment})


def _load_form(request, shipment: Shipment, data=None) -> LoadForm:
    lots = lots_visible_to(request.user, Lot.objects.all())
    warehouses = warehouses_visible_to(request.user).filter(is_active=True).order_by("name")
    return LoadForm(data, containers=shipment.containers.order_by("number"), lots=lots, warehouses=warehouses)


def _lots_in_stock(request, shipment: Shipment):
    """Stock of dry lots of the sale's variety, for the load form's suggestions."""
    return (
        balances_visible_to(request.user)
        .filter(lot__form=ProductForm.DRY, lot__variety=shipment.sales_contract.variety)
        .order_by("-lot__created_at", "warehouse__name")[:SUGGESTED_LOTS]
    )


def _due_diligence(request, shipment: Shipment) -> dict | None:
    """The EUDR section: only with the module licensed and for those who may read the pack."""
    if not (module_licensed(request, Module.EUDR) and can(request.user, DueDiligenceView, "get")):
        return None
    return {
        "pack": dds.shipment_due_diligence(shipment=shipment),
        "statements": shipment.statements.order_by("-created_at", "-pk"),
        "can_record": can(request.user, DueDiligenceView, "post"),
        "geojson_url": reverse("export-due-diligence-geojson", kwargs={"pk": shipment.pk}),
        "json_url": reverse("export-due-diligence-json", kwargs={"pk": shipment.pk}),
        "pdf_url": reverse("export-due-diligence-pdf", kwargs={"pk": shipment.pk}),
    }


def _pdf_links(shipment: Shipment, weight: selectors.Weight) -> dict:
    """The API's PDFs (they take the session login); the invoice only once it can be made."""
    invoiceable = shipment.sales_contract.sale_price_usd_per_tm is not None and weight.kg > 0
    return {
        "invoice": reverse("export-shipment-invoice", kwargs={"pk": shipment.pk}) if invoiceable else None,
        "packing_list": reverse("export-shipment-packing-list", kwargs={"pk": shipment.pk}),
        "quality_certificate": reverse("export-shipment-quality-certificate", kwargs={"pk": shipment.pk}),
    }


def _shipment_page(request, shipment: Shipment, *, status=200, **forms):
    user = request.user
    containers = selectors.shipment_containers(shipment)
    weight = selectors.shipment_weight(shipment)
    loadable = shipment.status in services.LOADABLE
    context = {
        "shipment": shipment,
        "sale": shipment.sales_contract,
        "weight": weight,
        "containers": [(container, selectors.container_weight(container)) for container in containers],
        "documents": shipment.documents.order_by("kind", "-uploaded_at"),
        "checklist": shipment_checklist(shipment=shipment),
        "pdfs": _pdf_links(shipment, weight),
        "due_diligence": _due_diligence(request, shipment),
        "transitions": [
            ShipmentStatus(s) for s in sorted(services.SHIPMENT_TRANSITIONS[ShipmentStatus(shipment.status)])
        ]
        if can(user, ShipmentViewSet, "set_status")
        else [],
        "can_edit": can(user, ShipmentViewSet, "update")
        and shipment.status not in (ShipmentStatus.CANCELLED, ShipmentStatus.ARRIVED),
        "can_delete": can(user, ShipmentViewSet, "destroy") and shipment.status == ShipmentStatus.PLANNED,
        "can_unload": loadable and can(user, LoadViewSet, "destroy"),
        "can_remove_container": loadable and can(user, ContainerViewSet, "destroy"),
        "can_delete_document": can(user, ShipmentDocumentViewSet, "destroy")
        and shipment.status not in (ShipmentStatus.SHIPPED, ShipmentStatus.ARRIVED),
        "container_form": forms.get("container_form") or ContainerForm()
        if loadable and can(user, ShipmentViewSet, "add_container")
        else None,
        "load_form": forms.get("load_form") or _load_form(request, shipment)
        if loadable and containers and can(user, ContainerViewSet, "load")
        else None,
        "lots_in_stock": _lots_in_stock(request, shipment) if loadable else [],
        "document_form": forms.get("document_form") or ShipmentDocumentForm()
        if shipment.status != ShipmentStatus.CANCELLED and can(user, ShipmentViewSet, "upload_document")
        else None,
    }
    return render(request, "web/export/shipment_detail.html", context, status=status)


@role_required(ShipmentViewSet, "retrieve")
def shipment_detail(request, pk):
    return _shipment_page(request, _shipment(request, pk))


@require_POST
@role_required(ShipmentViewSet, "set_status")
def shipment_status(request, pk):
    shipment = _shipment(request, pk)
    _status_change(
        request,
        ShipmentStatusForm(request.POST),
        lambda status: services.shipment_set_status(shipment=shipment, status=status, user=request.user),
        _("The shipment is now «%(status)s»."),
    )
    return redirect("web:export_shipment_detail", shipment.pk)


@require_POST
@role_required(ShipmentViewSet, "destroy")
def shipment_delete(request, pk):
    shipment = _shipment(request, pk)
    try:
        services.shipment_delete(shipment=shipment, user=request.user)
    except ValidationError as error:
        _refused(request, error)
        return redirect("web:export_shipment_detail", shipment.pk)
    messages.success(request, _("Shipment %(code)s deleted.") % {"code": shipment.code})
    return redirect("web:export_shipment_list")


@require_POST
@role_required(ShipmentViewSet, "add_container")
def container_add(request, pk):
    shipment = _shipment(request, pk)
    form = ContainerForm(request.POST)
    if form.is_valid():
        container = call_service(
            form,
            lambda: services.container_add(shipment=shipment, user=request.user, **form.cleaned_data),
        )
        if container:
            messages.success(request, _("Container %(number)s added.") % {"number": container.number})
            return redirect("web:export_shipment_detail", shipment.pk)
    return _shipment_page(request, shipment, container_form=form, status=400)


@require_POST
@role_required(ContainerViewSet, "destroy")
def container_remove(request, pk):
    container = get_object_or_404(selectors.container_list(user=request.user), pk=pk)
    try:
        services.container_remove(container=container, user=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Container %(number)s removed.") % {"number": container.number})
    return redirect("web:export_shipment_detail", container.shipment_id)


@require_POST
@role_required(ContainerViewSet, "load")
def container_load(request, pk):
    shipment = _shipment(request, pk)
    form = _load_form(request, shipment, data=request.POST)
    if form.is_valid():
        load = call_service(
            form,
            lambda: services.container_load(
                container=form.cleaned_data["container"], user=request.user, **form.service_fields()
            ),
        )
        if load:
            messages.success(
                request,
                _("%(kg)s kg of lot %(lot)s loaded into %(number)s.")
                % {"kg": load.kg, "lot": load.lot.code, "number": load.container.number},
            )
            return redirect("web:export_shipment_detail", shipment.pk)
    return _shipment_page(request, shipment, load_form=form, status=400)


@require_POST
@role_required(LoadViewSet, "destroy")
def load_remove(request, pk):
    load = get_object_or_404(selectors.load_list(user=request.user), pk=pk)
    shipment_id = load.container.shipment_id
    try:
        services.container_unload(load=load, user=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("Lot %(lot)s unloaded from %(number)s.")
            % {"lot": load.lot.code, "number": load.container.number},
        )
    return redirect("web:export_shipment_detail", shipment_id)


@require_POST
@role_required(ShipmentViewSet, "upload_document")
def document_upload(request, pk):
    shipment = _shipment(request, pk)
    form = ShipmentDocumentForm(request.POST, request.FILES)
    if form.is_valid() and call_service(
        form,
        lambda: services.shipment_document_upload(
            shipment=shipment, user=request.user, **form.service_fields()
        ),
        aliases={"uploaded_file": "file"},
    ):
        messages.success(request, _("Document uploaded."))
        return redirect("web:export_shipment_detail", shipment.pk)
    return _shipment_page(request, shipment, document_form=form, status=400)


@require_POST
@role_required(ShipmentDocumentViewSet, "destroy")
def document_delete(request, pk):
    document = get_object_or_404(selectors.document_list(user=request.user), pk=pk)
    try:
        services.shipment_document_delete(document=document, user=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Document %(document)s deleted.") % {"document": document})
    return redirect("web:export_shipment_detail", document.shipment_id)


@require_POST
@role_required(DueDiligenceView, "post")
def statement_record(request, pk):
    shipment = _shipment(request, pk)
    try:
        record = dds.statement_record(shipment=shipment, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Due diligence statement %(reference)s recorded.") % {"reference": record.reference}
        )
    return redirect(f"{reverse('web:export_shipment_detail', args=[shipment.pk])}#due-diligence")


urlpatterns = [
    path("export/sales/", sales_list, name="export_sales_list"),
    path("export/sales/new/", sales_create, name="export_sales_create"),
    path("export/sales/<int:pk>/", sales_detail, name="export_sales_detail"),
    path("export/sales/<int:pk>/edit/", sales_edit, name="export_sales_edit"),
    path("export/sales/<int:pk>/status/", sales_status, name="export_sales_status"),
    path("export/sales/<int:pk>/fix-price/", sales_fix_price, name="export_sales_fix_price"),
    path("export/sales/<int:pk>/delete/", sales_delete, name="export_sales_delete"),
    path("export/shipments/", shipment_list, name="export_shipment_list"),
    path("export/shipments/new/", shipment_create, name="export_shipment_create"),
    path("export/shipments/<int:pk>/", shipment_detail, name="export_shipment_detail"),
    path("export/shipments/<int:pk>/edit/", shipment_edit, name="export_shipment_edit"),
    path("export/shipments/<int:pk>/status/", shipment_status, name="export_shipment_status"),
    path("export/shipments/<int:pk>/delete/", shipment_delete, name="export_shipment_delete"),
    path("export/shipments/<int:pk>/containers/", container_add, name="export_container_add"),
    path("export/shipments/<int:pk>/loads/", container_load, name="export_container_load"),
    path("export/shipments/<int:pk>/documents/", document_upload, name="export_document_upload"),
    path(
        "export/shipments/<int:pk>/due-diligence/record/",
        statement_record,
        name="export_due_diligence_record",
    ),
    path("export/containers/<int:pk>/remove/", container_remove, name="export_container_remove"),
    path("export/loads/<int:pk>/unload/", load_remove, name="export_load_remove"),
    path("export/documents/<int:pk>/delete/", document_delete, name="export_document_delete"),
]
