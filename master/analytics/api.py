"""Master API: the dashboard, its companies table and revenue (root domain, staff only)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from master.companies.api import IsMasterStaff

from . import selectors, support


class PeriodSerializer(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=1, max_value=366, default=30, help_text=_("How many days back, today included.")
    )


class SupportQuerySerializer(PeriodSerializer):
    months = serializers.IntegerField(
        min_value=1, max_value=60, default=12, help_text=_("Months of CSAT by month, this one included.")
    )


class RevenueQuerySerializer(serializers.Serializer):
    months = serializers.IntegerField(min_value=1, max_value=60, default=12)


def _params(serializer_class, request) -> dict:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


class DashboardView(APIView):
    """Companies (active, suspended, expiring, by health), licenses by type, API calls and
    error rate by day, p95 latency, revenue, storage, instances and alerts."""

    permission_classes = [IsMasterStaff]

    @extend_schema(parameters=[PeriodSerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(selectors.dashboard(days=_params(PeriodSerializer, request)["days"]))


class CompaniesView(APIView):
    """Every company with its license, users, storage, API consumption (calls, error rate,
    p95 latency, availability), last backup and health."""

    permission_classes = [IsMasterStaff]

    @extend_schema(parameters=[PeriodSerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        period = selectors.Period.last_days(_params(PeriodSerializer, request)["days"])
        return Response(
            {
                "period": {"start": period.start, "end": period.end},
                "results": selectors.companies_table(period),
            }
        )


class RevenueView(APIView):
    """Invoiced, paid and pending (USD) by month, and the totals."""

    permission_classes = [IsMasterStaff]

    @extend_schema(parameters=[RevenueQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(selectors.revenue(months=_params(RevenueQuerySerializer, request)["months"]))


class SupportView(APIView):
    """Support: open tickets by priority and company (now), tickets opened in the period by
    category, module and company with their SLA breaches, first-response and resolution
    times (median and p90, in hours), CSAT of the period and by month."""

    permission_classes = [IsMasterStaff]

    @extend_schema(parameters=[SupportQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        params = _params(SupportQuerySerializer, request)
        period = selectors.Period.last_days(params["days"])
        return Response(support.support_figures(first=period.start, last=period.end, months=params["months"]))
