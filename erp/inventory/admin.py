"""Inventory in a company's own admin: warehouses edited; balances and movements looked at
(they change only through the services, so every change is a movement)."""

from django.contrib import admin

from triboka.admin_actions import ViewOnlyMixin
from triboka.admin_sites import company_admin_site

from .models import StockBalance, StockMovement, Warehouse


@admin.register(Warehouse, site=company_admin_site)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("name", "center", "is_default", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "center__name")
    list_select_related = ("center",)
    raw_id_fields = ("center",)


class ViewOnly(ViewOnlyMixin, admin.ModelAdmin):
    list_per_page = 50


@admin.register(StockBalance, site=company_admin_site)
class StockBalanceAdmin(ViewOnly):
    list_display = ("lot", "warehouse", "kg")
    list_filter = ("warehouse",)
    search_fields = ("lot__code",)
    list_select_related = ("lot", "warehouse")


@admin.register(StockMovement, site=company_admin_site)
class StockMovementAdmin(ViewOnly):
    list_display = ("at", "kind", "lot", "kg", "from_warehouse", "to_warehouse", "reason", "user")
    list_filter = ("kind",)
    search_fields = ("lot__code", "reason", "reference")
    list_select_related = ("lot", "from_warehouse", "to_warehouse", "user")
