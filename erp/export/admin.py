"""Sales and export in a company's own admin, looked at: every change has rules (the parties'
kinds, the status workflow, stock going out and back, the ISO 6346 check), so writes go
through the services, from the API and these list actions. Loads and documents are records."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from triboka.admin_actions import ViewOnlyMixin, apply_to_each
from triboka.admin_sites import company_admin_site

from . import services
from .models import (
    Container,
    ContainerLot,
    SalesContract,
    SalesStatus,
    Shipment,
    ShipmentDocument,
    ShipmentStatus,
)


class ViewOnly(ViewOnlyMixin, admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False


class ContainerInline(ViewOnlyMixin, admin.TabularInline):
    model = Container
    fields = readonly_fields = ("number", "seal_number", "size")
    extra = 0


class DocumentInline(ViewOnlyMixin, admin.TabularInline):
    model = ShipmentDocument
    fields = readonly_fields = ("kind", "number", "issued_on", "original_name", "uploaded_at")
    extra = 0


@admin.register(SalesContract, site=company_admin_site)
class SalesContractAdmin(ViewOnly):
    list_display = (
        "code",
        "buyer",
        "exporter",
        "variety",
        "quantity_tm",
        "price_type",
        "price_usd_per_tm",
        "fixed_price_usd_per_tm",
        "incoterm",
        "status",
    )
    list_filter = ("status", "variety", "price_type", "incoterm")
    search_fields = ("code", "buyer__name", "buyer_reference")
    list_select_related = ("buyer", "exporter")
    date_hierarchy = "shipment_from"
    actions = ("cancel",)

    @admin.action(description=_("Cancel the selected sales contracts"))
    def cancel(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda contract: services.sales_contract_set_status(
                sales_contract=contract, status=SalesStatus.CANCELLED, user=request.user
            ),
            lambda n: ngettext("%d sales contract cancelled.", "%d sales contracts cancelled.", n),
        )


@admin.register(Shipment, site=company_admin_site)
class ShipmentAdmin(ViewOnly):
    list_display = (
        "code",
        "sales_contract",
        "booking_number",
        "vessel",
        "etd",
        "eta",
        "bill_of_lading",
        "invoice_number",
        "status",
    )
    list_filter = ("status", "port_of_loading")
    search_fields = ("code", "booking_number", "bill_of_lading", "vessel", "sales_contract__code")
    list_select_related = ("sales_contract",)
    date_hierarchy = "created_at"
    inlines = (ContainerInline, DocumentInline)
    actions = ("mark_arrived",)

    @admin.action(description=_("Mark the selected shipments as arrived"))
    def mark_arrived(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda shipment: services.shipment_set_status(
                shipment=shipment, status=ShipmentStatus.ARRIVED, user=request.user
            ),
            lambda n: ngettext("%d shipment marked as arrived.", "%d shipments marked as arrived.", n),
        )


@admin.register(Container, site=company_admin_site)
class ContainerAdmin(ViewOnly):
    list_display = ("number", "shipment", "seal_number", "size")
    search_fields = ("number", "seal_number", "shipment__code")
    list_select_related = ("shipment",)


@admin.register(ContainerLot, site=company_admin_site)
class ContainerLotAdmin(ViewOnly):
    list_display = ("loaded_at", "container", "shipment", "lot", "kg", "sacks", "movement")
    search_fields = ("lot__code", "container__number", "container__shipment__code")
    list_select_related = ("container__shipment", "lot", "movement")

    @admin.display(description=_("shipment"))
    def shipment(self, load):
        return load.container.shipment


@admin.register(ShipmentDocument, site=company_admin_site)
class ShipmentDocumentAdmin(ViewOnly):
    list_display = ("shipment", "kind", "number", "issued_on", "original_name", "uploaded_by", "uploaded_at")
    list_filter = ("kind",)
    search_fields = ("number", "shipment__code", "original_name")
    list_select_related = ("shipment", "uploaded_by")
