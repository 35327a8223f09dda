"""Receptions in a company's own admin: read-only rows (a financial record is never edited)
with the void action, and the reception settings (one row)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from triboka.admin_actions import apply_to_each
from triboka.admin_sites import company_admin_site

from . import services
from .models import Reception, ReceptionSettings


@admin.register(Reception, site=company_admin_site)
class ReceptionAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "received_at",
        "supplier",
        "center",
        "form",
        "variety",
        "net_weight_kg",
        "moisture_percent",
        "paid_weight_kg",
        "price_usd_per_qq",
        "amount_usd",
        "lot",
        "voided_at",
    )
    list_filter = (
        "form",
        "variety",
        "price_mode",
        ("center", admin.RelatedOnlyFieldListFilter),
        "received_at",
    )
    search_fields = ("number", "supplier__name", "lot__code")
    list_select_related = ("supplier", "center", "lot")
    date_hierarchy = "received_at"
    actions = ("void",)
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Void the selected receptions (reason: voided from the admin)"))
    def void(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda reception: services.reception_void(
                reception=reception, user=request.user, reason=str(_("Voided from the admin"))
            ),
            lambda n: ngettext("%d reception voided.", "%d receptions voided.", n),
        )


@admin.register(ReceptionSettings, site=company_admin_site)
class ReceptionSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "standard_moisture_percent")

    def has_add_permission(self, request):
        return not ReceptionSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
