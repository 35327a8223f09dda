"""IoT in a company's own admin: devices (registered, changed, deactivated and given new keys
through the services; a new key is shown once, as a message), and read-only readings,
imports, refused readings; the IoT settings (one row)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from erp.partners.models import Partner, PartnerKind
from master.licensing.limits import iot_devices_limit_check
from triboka.admin_actions import ViewOnlyMixin, apply_to_each
from triboka.admin_sites import company_admin_site

from . import selectors, services
from .models import Device, DeviceError, IotSettings, Reading, ReadingImport


class ReadOnlyAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Rows written by devices and imports: looked at here, never edited."""

    list_per_page = 50
    show_full_result_count = False  # no second count over a table that only grows


@admin.register(Device, site=company_admin_site)
class DeviceAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "serial_number",
        "kind",
        "location",
        "transport",
        "is_active",
        "has_key",
        "last_seen_at",
        "last_reading_at",
        "readings_today",
    )
    list_filter = ("is_active", "kind", "transport", ("location", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "serial_number")
    ordering = ("name", "id")
    fields = (*services.DEVICE_FIELDS, "is_active", "key_prefix", "key_created_at", "last_seen_at")
    readonly_fields = ("is_active", "key_prefix", "key_created_at", "last_seen_at")
    actions = ("deactivate", "activate", "rotate_key")

    def get_queryset(self, request):
        return selectors.devices_with_health(super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "location":
            kwargs["queryset"] = Partner.objects.filter(kind=PartnerKind.CENTER).order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            return form

        class DeviceAddForm(form):
            def clean(self):
                cleaned = super().clean()
                try:
                    iot_devices_limit_check(adding=1, field="name")
                except ValidationError as error:
                    self.add_error(None, error.messages)
                return cleaned

        return DeviceAddForm

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name] for name in services.DEVICE_FIELDS if name in form.cleaned_data
        }
        if change:
            changed = {name: value for name, value in fields.items() if name in form.changed_data}
            services.device_update(device=Device.objects.get(pk=obj.pk), **changed)
            return
        device, key = services.device_register(user=request.user, **fields)
        obj.pk, obj.key_prefix, obj.key_created_at = device.pk, device.key_prefix, device.key_created_at
        self._show_key(request, device, key)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: its readings stay, and so does its history

    @staticmethod
    def _show_key(request, device: Device, key: str) -> None:
        messages.warning(
            request,
            _("Key of %(name)s, shown only this once (copy it into the device): %(key)s")
            % {"name": device.name, "key": key},
        )

    @admin.display(description=_("key"), boolean=True)
    def has_key(self, device):
        return device.has_key

    @admin.display(description=_("last reading"), ordering="last_reading_at")
    def last_reading_at(self, device):
        return device.last_reading_at

    @admin.display(description=_("readings today"), ordering="readings_today")
    def readings_today(self, device):
        return device.readings_today

    @admin.action(description=_("Deactivate the selected devices"))
    def deactivate(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda device: services.device_set_active(device=device, active=False),
            lambda n: ngettext("%d device deactivated.", "%d devices deactivated.", n),
        )

    @admin.action(description=_("Activate the selected devices"))
    def activate(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda device: services.device_set_active(device=device, active=True),
            lambda n: ngettext("%d device activated.", "%d devices activated.", n),
        )

    @admin.action(description=_("Make new keys for the selected devices (the old ones stop working)"))
    def rotate_key(self, request, queryset):
        for device in queryset:
            self._show_key(request, device, services.device_key_rotate(device=device))


@admin.register(Reading, site=company_admin_site)
class ReadingAdmin(ReadOnlyAdmin):
    list_display = ("measured_at", "device", "lot", "net_kg", "moisture_percent", "origin", "received_at")
    list_select_related = ("device", "lot")
    list_filter = ("origin", "device")
    search_fields = ("key", "lot__code", "device__serial_number")
    date_hierarchy = "measured_at"
    raw_id_fields = ("device", "lot", "assigned_by")


@admin.register(ReadingImport, site=company_admin_site)
class ReadingImportAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "device", "status", "added", "duplicates", "rejected", "created_at")
    list_select_related = ("device", "created_by")
    list_filter = ("status", "device")
    search_fields = ("original_name",)
    date_hierarchy = "created_at"
    raw_id_fields = ("device", "created_by")


@admin.register(DeviceError, site=company_admin_site)
class DeviceErrorAdmin(ReadOnlyAdmin):
    list_display = ("at", "device", "origin", "message")
    list_select_related = ("device",)
    list_filter = ("origin", "device")
    search_fields = ("message",)
    date_hierarchy = "at"
    raw_id_fields = ("device",)


@admin.register(IotSettings, site=company_admin_site)
class IotSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "moisture_limit_percent")

    def has_add_permission(self, request):
        return not IotSettings.objects.exists()  # one row

    def has_delete_permission(self, request, obj=None):
        return False
