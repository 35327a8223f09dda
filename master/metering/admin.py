"""The consumption report in the master admin: the same figures as
GET /api/master/analytics/consumption/, per company, endpoint or day, with the monthly limits."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from .api import ConsumptionQuerySerializer
from .models import CompanyUsageDaily
from .selectors import GROUPINGS, ConsumptionQuery, consumption


@admin.register(CompanyUsageDaily)
class ConsumptionAdmin(admin.ModelAdmin):
    """Read-only: the changelist is the consumption report (rows are written by the flush)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        params = ConsumptionQuerySerializer(data=request.GET)
        report, errors = None, {}
        if params.is_valid():
            data = params.validated_data
            company = data.get("company")
            report = consumption(
                ConsumptionQuery(
                    start=data["start"],
                    end=data["end"],
                    group_by=data["group_by"],
                    company_id=company.pk if company else None,
                )
            )
            form = {**data, "company": company.slug if company else ""}
        else:
            errors = params.errors
            form = request.GET
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("API consumption"),
            "report": report,
            "errors": errors,
            "form": form,
            "groupings": [(value, label) for value, label in GROUPING_LABELS if value in GROUPINGS],
        }
        return TemplateResponse(request, "admin/metering/consumption.html", context)


GROUPING_LABELS = [("company", _("Company")), ("endpoint", _("Endpoint")), ("day", _("Day"))]
