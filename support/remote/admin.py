"""Remote access in the master admin: the grants companies gave (read-only: only a
company's administrator grants), an "Open the site" link for the staff member a grant
names while it is active, and an action to end accesses early."""

from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from triboka.errors import ApplicationError

from . import services
from .models import EndReason, RemoteAccessGrant, SupportAgent


@admin.register(RemoteAccessGrant)
class RemoteAccessGrantAdmin(admin.ModelAdmin):
    list_display = ("company", "ticket", "staff_name", "granted_by_email", "starts_at", "ends_at", "state")
    list_filter = ("end_reason", "starts_at")
    search_fields = (
        "company__name",
        "company__slug",
        "staff_email",
        "staff_name",
        "granted_by_email",
        "ticket__number",
    )
    list_select_related = ("company", "ticket")
    date_hierarchy = "starts_at"
    actions = ["end_access"]
    readonly_fields = [field.name for field in RemoteAccessGrant._meta.fields if field.name != "start_nonce"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_list_display(self, request):
        @admin.display(description=gettext_lazy("support session"))
        def open_site(grant):
            if grant.staff_user_id != request.user.pk or not grant.is_active():
                return "—"
            url = reverse("admin:support_remote_remoteaccessgrant_open", args=[grant.pk])
            return format_html('<a class="button" href="{}">{}</a>', url, _("Open the company site"))

        return (*self.list_display, open_site)

    @admin.display(description=gettext_lazy("state"))
    def state(self, grant):
        if grant.ended_at:
            return grant.get_end_reason_display()
        return _("Active") if grant.is_active() else _("Time window over")

    def get_urls(self):
        return [
            path(
                "<int:pk>/open/",
                self.admin_site.admin_view(self.open_site_view),
                name="support_remote_remoteaccessgrant_open",
            ),
            *super().get_urls(),
        ]

    def open_site_view(self, request, pk):
        """To the company's site with a one-time start link; 403 unless the grant is active
        and names this staff member."""
        grant = get_object_or_404(RemoteAccessGrant.objects.select_related("company"), pk=pk)
        try:
            return redirect(services.support_session_link(grant=grant, staff=request.user))
        except ApplicationError as error:
            body = render_to_string("support/remote/refused.html", {"message": error.message})
            return HttpResponse(body, status=error.status_code)

    @admin.action(description=gettext_lazy("End the selected accesses now"))
    def end_access(self, request, queryset):
        ended = sum(
            services.remote_access_end(grant=grant, reason=EndReason.STAFF, ended_by_email=request.user.email)
            for grant in queryset.select_related("company").filter(ended_at__isnull=True)
        )
        self.message_user(
            request,
            ngettext("%(count)d access ended.", "%(count)d accesses ended.", ended) % {"count": ended},
            messages.SUCCESS,
        )


@admin.register(SupportAgent)
class SupportAgentAdmin(admin.ModelAdmin):
    list_display = ("email", "company", "staff_user_id", "user_id", "created_at")
    search_fields = ("email", "company__name", "company__slug")
    list_select_related = ("company",)
    readonly_fields = ("company", "staff_user_id", "user_id", "email", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
