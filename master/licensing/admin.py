from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from triboka.admin_actions import apply_to_each

from . import services
from .models import License, Module


class LicenseForm(forms.ModelForm):
    modules = forms.MultipleChoiceField(
        label=_("modules"), choices=Module.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = License
        fields = ["company", *services.EDITABLE_FIELDS]


@admin.register(License)
class LicenseAdmin(admin.ModelAdmin):
    form = LicenseForm
    list_display = ("code", "company", "type", "status", "starts_on", "expires_on", "auto_renew", "price_usd")
    list_filter = ("type", "status", "auto_renew", "billing_period")
    search_fields = ("code", "company__name", "company__slug")
    list_select_related = ("company",)

    def get_changeform_initial_data(self, request):
        """A new license starts from the system settings' default limits."""
        from master.platform.services import system_settings

        return {**system_settings().default_license_limits, **super().get_changeform_initial_data(request)}

    raw_id_fields = ("company",)
    readonly_fields = ("code", "status", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("code", "company", "type", "status", "modules")}),
        (
            _("Limits (empty: unlimited)"),
            {"fields": ("max_users", "max_api_calls_month", "max_storage_mb", "max_iot_devices")},
        ),
        (
            _("Term and billing"),
            {"fields": ("starts_on", "expires_on", "auto_renew", "price_usd", "billing_period")},
        ),
        (None, {"fields": ("created_at", "updated_at")}),
    )
    actions = ["renew_selected", "extend_selected_30_days", "suspend_selected", "reactivate_selected"]

    @admin.action(description=_("Renew selected licenses for one billing period"))
    def renew_selected(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda license: services.license_renew(license=license),
            lambda n: ngettext("%d license renewed.", "%d licenses renewed.", n),
        )

    @admin.action(description=_("Extend selected licenses by 30 days"))
    def extend_selected_30_days(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda license: services.license_extend(license=license, days=30),
            lambda n: ngettext("%d license extended.", "%d licenses extended.", n),
        )

    @admin.action(description=_("Suspend selected licenses"))
    def suspend_selected(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda license: services.license_suspend(license=license),
            lambda n: ngettext("%d license suspended.", "%d licenses suspended.", n),
        )

    @admin.action(description=_("Reactivate selected licenses"))
    def reactivate_selected(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda license: services.license_reactivate(license=license),
            lambda n: ngettext("%d license reactivated.", "%d licenses reactivated.", n),
        )

    def save_model(self, request, obj, form, change):
        if change:
            changes = {
                field: form.cleaned_data[field]
                for field in form.changed_data
                if field in services.EDITABLE_FIELDS
            }
            if "company" in form.changed_data:
                services.license_assign(license=obj, company=form.cleaned_data["company"])
            services.license_update(license=obj, **changes)
        else:
            data = {field: form.cleaned_data[field] for field in services.EDITABLE_FIELDS}
            issued = services.license_issue(
                company=form.cleaned_data["company"], license_type=data.pop("type"), **data
            )
            obj.pk, obj.code = issued.pk, issued.code
