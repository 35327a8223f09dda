from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from master.backups.services import backups_queue
from master.licensing.models import License
from triboka.admin_actions import apply_to_each
from triboka.audit.admin import AuditedAdminMixin
from triboka.audit.models import AuditAction
from triboka.audit.services import COMPANY_STATUS_FIELDS, audit_company_deleted, audit_company_status

from . import services
from .forms import CompanyDeleteForm, CompanyProvisionForm
from .models import Company, CompanyStatus, Domain, UserDirectoryEntry


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ("domain", "is_primary")

    def has_delete_permission(self, request, obj=None):
        return False


class LicenseInline(admin.TabularInline):
    model = License
    extra = 0
    fields = ("code", "type", "starts_on", "expires_on")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


def _status_of(company: Company) -> dict:
    return {field: getattr(company, field) for field in COMPANY_STATUS_FIELDS}


@admin.register(Company)
class CompanyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "ruc", "kind", "status", "license_types", "created_at")
    list_filter = ("status", "kind", "licenses__type")
    search_fields = ("name", "slug", "ruc", "domains__domain")
    readonly_fields = (
        "slug",
        "site",
        "schema_name",
        "status",
        "suspended_at",
        "suspension_reason",
        "created_at",
        "updated_at",
    )
    fields = ("name", "ruc", "kind", *readonly_fields)
    inlines = [DomainInline, LicenseInline]
    actions = ["suspend_selected", "reactivate_selected", "back_up_selected"]
    change_form_template = "admin/companies/company/change_form.html"
    audit_actions = {
        "add": AuditAction.COMPANY_CREATED,
        "change": AuditAction.COMPANY_UPDATED,
        "delete": AuditAction.COMPANY_DELETED,
    }

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("licenses", queryset=License.objects.only("id", "type", "company_id")))
        )

    @admin.display(description=_("licenses"))
    def license_types(self, obj):
        return ", ".join(sorted({lic.get_type_display() for lic in obj.licenses.all()}))

    @admin.display(description=_("site"))
    def site(self, obj):
        return format_html('<a href="{0}">{0}</a>', obj.url)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletion asks for the slug, one at a time
        return actions

    @admin.action(description=_("Suspend selected companies"))
    def suspend_selected(self, request, queryset):
        companies = list(queryset.filter(status=CompanyStatus.ACTIVE))
        for company in companies:
            before = _status_of(company)
            services.company_suspend(company=company)
            audit_company_status(company=company, before=before)
        self.message_user(
            request,
            ngettext("%d company suspended.", "%d companies suspended.", len(companies)) % len(companies),
        )

    @admin.action(description=_("Reactivate selected companies"))
    def reactivate_selected(self, request, queryset):
        companies = list(queryset.filter(status=CompanyStatus.SUSPENDED))
        for company in companies:
            before = _status_of(company)
            services.company_reactivate(company=company)
            audit_company_status(company=company, before=before)
        self.message_user(
            request,
            ngettext("%d company reactivated.", "%d companies reactivated.", len(companies)) % len(companies),
        )

    @admin.action(description=_("Back up selected companies now"))
    def back_up_selected(self, request, queryset):
        backups = backups_queue(companies=list(queryset), requested_by=request.user.email)
        self.message_user(
            request,
            ngettext(
                "%d backup queued; its progress is in Backups.",
                "%d backups queued; their progress is in Backups.",
                len(backups),
            )
            % len(backups),
        )

    def get_urls(self):
        from django.urls import path

        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/suspend/", wrap(self.suspend_view), name="companies_company_suspend"),
            path(
                "<int:object_id>/reactivate/", wrap(self.reactivate_view), name="companies_company_reactivate"
            ),
            *super().get_urls(),
        ]

    def suspend_view(self, request, object_id):
        return self._status_view(request, object_id, services.company_suspend, _("%(name)s suspended."))

    def reactivate_view(self, request, object_id):
        return self._status_view(request, object_id, services.company_reactivate, _("%(name)s reactivated."))

    def _company_or_404(self, request, object_id) -> Company:
        company = self.get_object(request, unquote(str(object_id)))
        if company is None:
            raise Http404
        return company

    def _status_view(self, request, object_id, service, message):
        company = self._company_or_404(request, object_id)
        if request.method != "POST" or not self.has_change_permission(request, company):
            raise PermissionDenied
        before = _status_of(company)
        service(company=company)
        audit_company_status(company=company, before=before)
        self.message_user(request, message % {"name": company.name}, messages.SUCCESS)
        return redirect(reverse("admin:companies_company_change", args=[company.pk]))

    def save_model(self, request, obj, form, change):
        changed = {
            field: form.cleaned_data[field]
            for field in form.changed_data
            if field in services.EDITABLE_FIELDS
        }
        services.company_update(company=obj, **changed)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CompanyProvisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = services.company_provision(**form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self._report_provisioned(request, result)
                return redirect(reverse("admin:companies_company_change", args=[result.company.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("New company"),
            "form": form,
            "opts": self.model._meta,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/companies/company/provision.html", context)

    def _report_provisioned(self, request, result):
        self.log_addition(request, result.company, [{"added": {}}])
        message = _("Company %(name)s created at %(url)s. Administrator: %(email)s.") % {
            "name": result.company.name,
            "url": result.company.url,
            "email": result.admin_email,
        }
        if result.set_password_url:
            message += " " + str(
                _("One-time link to set the password (also e-mailed): %(link)s")
                % {"link": result.set_password_url}
            )
        self.message_user(request, message, messages.SUCCESS)

    def delete_view(self, request, object_id, extra_context=None):
        company = self._company_or_404(request, object_id)
        if not self.has_delete_permission(request, company):
            raise PermissionDenied
        form = CompanyDeleteForm(request.POST or None, company=company)
        if request.method == "POST" and form.is_valid():
            company_id = company.pk
            dump = services.company_delete(company=company, confirm_slug=form.cleaned_data["confirm_slug"])
            audit_company_deleted(company=company, company_id=company_id, final_dump=dump)
            self.message_user(
                request,
                _("Company %(name)s deleted. Final dump: %(dump)s") % {"name": company.name, "dump": dump},
                messages.SUCCESS,
            )
            return redirect(reverse("admin:companies_company_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Delete %(name)s") % {"name": company.name},
            "form": form,
            "company": company,
            "opts": self.model._meta,
            "object": company,
        }
        return TemplateResponse(request, "admin/companies/company/delete.html", context)


@admin.register(UserDirectoryEntry)
class UserDirectoryEntryAdmin(admin.ModelAdmin):
    list_display = ("email", "full_name", "company", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "company__kind")
    search_fields = ("email", "full_name", "company__name", "company__slug")
    list_select_related = ("company",)
    readonly_fields = [f.name for f in UserDirectoryEntry._meta.fields]
    actions = ["send_password_link", "deactivate_selected", "activate_selected"]

    @admin.action(description=_("E-mail a link to set a new password"))
    def send_password_link(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset.select_related("company"),
            lambda entry: services.directory_password_reset(entry=entry),
            lambda n: ngettext("%d link e-mailed.", "%d links e-mailed.", n),
        )

    @admin.action(description=_("Deactivate selected users"))
    def deactivate_selected(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset.select_related("company"),
            lambda entry: services.directory_set_active(entry=entry, is_active=False),
            lambda n: ngettext("%d user deactivated.", "%d users deactivated.", n),
        )

    @admin.action(description=_("Activate selected users"))
    def activate_selected(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset.select_related("company"),
            lambda entry: services.directory_set_active(entry=entry, is_active=True),
            lambda n: ngettext("%d user activated.", "%d users activated.", n),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
