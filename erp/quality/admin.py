"""Quality in a company's own admin: analyses (read only: they are recorded through the
service, which grades them and writes the lot's timeline), certificates (through the
services), contract terms."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from triboka.admin_actions import apply_to_each
from triboka.admin_sites import company_admin_site
from triboka.errors import ApplicationError

from . import services
from .models import AnalysisPhoto, Certificate, ContractQualityTerms, QualityAnalysis


class AnalysisPhotoInline(admin.TabularInline):
    model = AnalysisPhoto
    fields = ("original_name", "content_type", "size", "uploaded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(QualityAnalysis, site=company_admin_site)
class QualityAnalysisAdmin(admin.ModelAdmin):
    list_display = (
        "analysed_at",
        "lot",
        "grade",
        "passed",
        "moisture_percent",
        "bean_count_per_100g",
        "analyst_name",
    )
    list_select_related = ("lot",)
    list_filter = ("grade", "passed", "sample_size")
    search_fields = ("lot__code", "analyst_name")
    date_hierarchy = "analysed_at"
    raw_id_fields = ("lot", "analyst")
    inlines = (AnalysisPhotoInline,)
    actions = ("reject_lots",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # through the page or the API: the service grades and traces it

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # it is on the lot's timeline and in the ledger

    @admin.action(description=_("Reject the lots of the selected failing analyses"))
    def reject_lots(self, request, queryset):
        done = 0
        for analysis in queryset.select_related("lot"):
            try:
                services.analysis_reject_lot(analysis=analysis, user=request.user)
                done += 1
            except ApplicationError as error:
                self.message_user(request, f"{analysis.lot.code}: {error.message}", level="error")
        if done:
            self.message_user(request, ngettext("%d lot rejected.", "%d lots rejected.", done) % done)


@admin.register(Certificate, site=company_admin_site)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "issuer", "lot", "partner", "valid_from", "valid_to", "expired")
    list_select_related = ("lot", "partner")
    list_filter = ("kind", "valid_to")
    search_fields = ("number", "issuer", "lot__code", "partner__name")
    raw_id_fields = ("lot", "partner", "created_by")
    fields = ("lot", "partner", "kind", "number", "issuer", "valid_from", "valid_to", "original_name")
    readonly_fields = ("original_name",)
    actions = ("delete_selected_certificates",)

    @admin.display(description=_("expired"), boolean=True)
    def expired(self, certificate):
        return certificate.is_expired

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name] for name in services.CERTIFICATE_FIELDS if name in form.cleaned_data
        }
        if change:
            changed = {name: value for name, value in fields.items() if name in form.changed_data}
            services.certificate_update(certificate=Certificate.objects.get(pk=obj.pk), **changed)
            return
        obj.pk = services.certificate_create(user=request.user, **fields).pk

    def delete_model(self, request, obj):
        services.certificate_delete(certificate=obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # through the service, which removes the file too
        return actions

    @admin.action(description=_("Delete the selected certificates"))
    def delete_selected_certificates(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda certificate: services.certificate_delete(certificate=certificate),
            lambda n: ngettext("%d certificate deleted.", "%d certificates deleted.", n),
        )


@admin.register(ContractQualityTerms, site=company_admin_site)
class ContractQualityTermsAdmin(admin.ModelAdmin):
    list_display = (
        "contract",
        "minimum_grade",
        "max_moisture_percent",
        "min_well_fermented_percent",
        "updated_at",
    )
    list_select_related = ("contract",)
    list_filter = ("minimum_grade",)
    search_fields = ("contract__code",)
    raw_id_fields = ("contract",)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.TERM_FIELDS if name in form.cleaned_data}
        obj.pk = services.terms_set(contract=form.cleaned_data["contract"], **fields).pk
