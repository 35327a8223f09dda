from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from triboka.audit.admin import AuditedAdminMixin

from . import services
from .models import SINGLETON_PK, SystemSettings


@admin.register(SystemSettings)
class SystemSettingsAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """One change page for the single row: the list goes straight to it, nothing is added
    or deleted; saving goes through the service (which clears the cached settings)."""

    fieldsets = (
        (None, {"fields": ("base_domain", "support_email", "license_grace_days")}),
        (
            _("Limits of new licenses (empty: unlimited)"),
            {
                "fields": (
                    "default_max_users",
                    "default_max_api_calls_month",
                    "default_max_storage_mb",
                    "default_max_iot_devices",
                )
            },
        ),
        (
            _("Support: SLA targets (hours from the ticket's creation)"),
            {"fields": (services.SUPPORT_FIELDS[:4], services.SUPPORT_FIELDS[4:8])},
        ),
        (
            _("Support: reopening and live chat"),
            {"fields": services.SUPPORT_FIELDS[8:]},
        ),
        (
            _("nginx (manage.py render_nginx)"),
            {"fields": ("tls_certificate_dir", "acme_webroot", "upstream")},
        ),
        (None, {"fields": ("updated_at",)}),
    )
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        row = services.system_settings_row()
        return redirect(reverse("admin:platform_systemsettings_change", args=[row.pk]))

    def get_object(self, request, object_id, from_field=None):
        if str(object_id) == str(SINGLETON_PK):
            services.system_settings_row()  # made with the defaults on the first visit
        return super().get_object(request, object_id, from_field)

    def save_model(self, request, obj, form, change):
        changes = {
            field: form.cleaned_data[field]
            for field in form.changed_data
            if field in services.EDITABLE_FIELDS
        }
        services.system_settings_update(**changes)
