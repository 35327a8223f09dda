from django.contrib import admin

from .models import License


@admin.register(License)
class LicenseAdmin(admin.ModelAdmin):
    list_display = ("code", "company", "type", "starts_on", "expires_on")
    list_filter = ("type",)
    search_fields = ("code", "company__name", "company__slug")
    list_select_related = ("company",)
    raw_id_fields = ("company",)
    readonly_fields = ("code", "created_at")
