"""Finance in a company's own admin: costs through the services (they check the lot or the
shipment and write the audit log); payments are records, looked at only."""

from django import forms
from django.contrib import admin

from triboka.admin_actions import ViewOnlyMixin
from triboka.admin_sites import company_admin_site

from . import services
from .models import BuyerPayment, Cost, SupplierPayment


class CostAdminForm(forms.ModelForm):
    """Checks a cost by the service's rules, so a refusal is a field error on the form."""

    class Meta:
        model = Cost
        fields = ("kind", "lot", "shipment", "amount_usd", "incurred_on", "description")

    def clean(self):
        data = super().clean()
        if not self.errors:
            values = {name: data.get(name) for name in services.COST_FIELDS}
            services.cost_check(Cost(**values), lot_chosen="lot" in self.changed_data)
        return data


@admin.register(Cost, site=company_admin_site)
class CostAdmin(admin.ModelAdmin):
    form = CostAdminForm
    list_display = ("incurred_on", "kind", "amount_usd", "lot", "shipment", "description")
    list_select_related = ("lot", "shipment")
    list_filter = ("kind", "incurred_on")
    search_fields = ("description", "lot__code", "shipment__code")
    raw_id_fields = ("lot", "shipment")
    fields = ("kind", "lot", "shipment", "amount_usd", "incurred_on", "description")
    date_hierarchy = "incurred_on"
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data.get(name) for name in services.COST_FIELDS}
        if change:
            changed = {name: value for name, value in values.items() if name in form.changed_data}
            services.cost_update(cost=Cost.objects.get(pk=obj.pk), user=request.user, **changed)
            return
        obj.pk = services.cost_create(user=request.user, **values).pk

    def delete_model(self, request, obj):
        services.cost_delete(cost=obj, user=request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one by one, through the service (audit log)
        return actions


@admin.register(SupplierPayment, site=company_admin_site)
class SupplierPaymentAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("paid_on", "reception", "supplier", "amount_usd", "method", "reference")
    list_select_related = ("reception", "reception__supplier")
    list_filter = ("method", "paid_on")
    search_fields = ("reception__number", "reception__supplier__name", "reference")
    date_hierarchy = "paid_on"
    show_full_result_count = False

    @admin.display(description=SupplierPayment._meta.get_field("reception").verbose_name)
    def supplier(self, payment):
        return payment.reception.supplier


@admin.register(BuyerPayment, site=company_admin_site)
class BuyerPaymentAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("received_on", "shipment", "amount_usd", "reference")
    list_select_related = ("shipment",)
    list_filter = ("received_on",)
    search_fields = ("shipment__code", "reference")
    date_hierarchy = "received_on"
    show_full_result_count = False
