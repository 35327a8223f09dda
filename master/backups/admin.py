from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Backup


@admin.register(Backup)
class BackupAdmin(admin.ModelAdmin):
    """What was backed up, when, and where the archive is; read only (backups are queued
    from the companies' list, the master API, the schedule or `manage.py backup_company`)."""

    list_display = ("company_slug", "kind", "status", "created_at", "finished_at", "size", "rows", "files")
    list_filter = ("status", "kind")
    search_fields = ("company_slug", "archive")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Backup._meta.fields]
    fieldsets = (
        (
            None,
            {"fields": ("company", "company_slug", "schema_name", "kind", "day", "status", "requested_by")},
        ),
        (_("Archive"), {"fields": ("archive", "size", "sha256", "rows", "files")}),
        (_("Progress"), {"fields": ("created_at", "started_at", "finished_at", "error")}),
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
