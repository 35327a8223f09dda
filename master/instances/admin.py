from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from triboka.audit.admin import AuditedAdminMixin

from . import services
from .models import HeartbeatState, Instance

STATE_COLOURS = {
    HeartbeatState.HEALTHY: "#1a7f37",
    HeartbeatState.UNHEALTHY: "#b35900",
    HeartbeatState.STALE: "#c62828",
    HeartbeatState.NEVER: "#666",
}


class HeartbeatStateFilter(admin.SimpleListFilter):
    title = _("heartbeat")
    parameter_name = "heartbeat"

    def lookups(self, request, model_admin):
        return HeartbeatState.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == HeartbeatState.NEVER:
            return queryset.filter(last_heartbeat_at__isnull=True)
        if value == HeartbeatState.STALE:
            return queryset.stale(now).filter(last_heartbeat_at__isnull=False)
        if value == HeartbeatState.UNHEALTHY:
            return queryset.fresh(now).exclude(reported_healthy=True)
        if value == HeartbeatState.HEALTHY:
            return queryset.fresh(now).filter(reported_healthy=True)
        return queryset


def _credentials_message(model_admin, request, credentials: services.Credentials) -> None:
    """The private key, shown this once (the master keeps only the public half)."""
    lines = " ".join(f"{name}={value}" for name, value in credentials.settings.items())
    model_admin.message_user(
        request,
        format_html(
            gettext(
                "Credentials of {name}, shown only now: put these in the installation's environment: {lines}"
            ),
            name=credentials.instance.name,
            lines=format_html("<code>{}</code>", lines),
        ),
        messages.WARNING,
    )


@admin.register(Instance)
class InstanceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "state",
        "last_heartbeat_at",
        "reported_version",
        "license",
        "company",
        "reported_license_state",
        "is_active",
    )
    list_filter = (HeartbeatStateFilter, "is_active", "reported_license_state")
    search_fields = ("name", "uid", "license__code", "license__company__slug")
    list_select_related = ("license__company",)
    raw_id_fields = ("license",)
    readonly_fields = (
        "uid",
        "public_key",
        "registered_by",
        "registered_at",
        "last_heartbeat_at",
        "last_sent_at",
        "reported_version",
        "reported_license_code",
        "reported_license_state",
        "reported_healthy",
        "reported_health",
    )
    fieldsets = (
        (None, {"fields": ("name", "license", "is_active")}),
        (
            _("Last heartbeat"),
            {
                "fields": (
                    "last_heartbeat_at",
                    "last_sent_at",
                    "reported_version",
                    "reported_license_code",
                    "reported_license_state",
                    "reported_healthy",
                    "reported_health",
                )
            },
        ),
        (_("Credentials"), {"fields": ("uid", "public_key", "registered_by", "registered_at")}),
    )
    actions = ["rotate_keys"]

    @admin.display(description=_("heartbeat"))
    def state(self, instance):
        state = HeartbeatState(instance.heartbeat_state())
        return format_html('<strong style="color:{}">{}</strong>', STATE_COLOURS[state], state.label)

    @admin.display(description=_("company"), ordering="license__company__slug")
    def company(self, instance):
        return instance.license.company if instance.license else None

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets if obj else ((None, {"fields": ("name", "license")}),)

    def save_model(self, request, obj, form, change):
        if change:
            changes = {field: form.cleaned_data[field] for field in form.changed_data}
            services.instance_update(instance=obj, **changes)
            return
        credentials = services.instance_register(
            name=form.cleaned_data["name"],
            license=form.cleaned_data["license"],
            registered_by=request.user.email,
        )
        obj.pk, obj.uid = credentials.instance.pk, credentials.instance.uid
        _credentials_message(self, request, credentials)

    @admin.action(description=_("Issue new credentials (the old key stops working)"))
    def rotate_keys(self, request, queryset):
        for instance in queryset:
            _credentials_message(self, request, services.instance_key_rotate(instance=instance))
