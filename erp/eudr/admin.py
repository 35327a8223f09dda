"""EUDR plots in a company's own admin: looked at (geometry and rules go through the pages
and the API, which check them), verified or sent back to pending with list actions that call
the service; evidence read only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from triboka.admin_actions import ViewOnlyMixin, apply_to_each
from triboka.admin_sites import company_admin_site

from . import services
from .models import Plot, PlotEvidence, PlotStatus


class EvidenceInline(ViewOnlyMixin, admin.TabularInline):
    model = PlotEvidence
    fields = ("kind", "title", "issued_on", "original_name", "sha256", "retain_until", "uploaded_at")
    readonly_fields = fields
    extra = 0


@admin.register(Plot, site=company_admin_site)
class PlotAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = (
        "code", "name", "supplier", "area_ha", "geometry_kind", "measured_area_ha", "deforestation_free",
        "status", "retain_until",
    )  # fmt: skip
    list_select_related = ("supplier",)
    list_filter = ("status", "geometry_kind", "deforestation_free")
    search_fields = ("code", "name", "farmer_id", "supplier__name")
    inlines = (EvidenceInline,)
    actions = ("verify", "back_to_pending")
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return obj is None  # the list and its actions; a plot's data changes on its page

    @admin.action(description=_("Verify the selected plots (declared, with evidence)"))
    def verify(self, request, queryset):
        apply_to_each(
            self, request, queryset,
            lambda plot: services.plot_set_status(plot=plot, user=request.user, status=PlotStatus.VERIFIED),
            lambda n: ngettext("%d plot verified.", "%d plots verified.", n), label=lambda plot: plot.code,
        )  # fmt: skip

    @admin.action(description=_("Send the selected plots back to pending"))
    def back_to_pending(self, request, queryset):
        apply_to_each(
            self, request, queryset,
            lambda plot: services.plot_set_status(plot=plot, user=request.user, status=PlotStatus.PENDING),
            lambda n: ngettext("%d plot back to pending.", "%d plots back to pending.", n),
            label=lambda plot: plot.code,
        )  # fmt: skip
