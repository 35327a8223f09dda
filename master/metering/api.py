"""Master API: API consumption per company, endpoint or day (root domain, staff only)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from master.companies.api import IsMasterStaff, company_slug_field

from .selectors import GROUPINGS, ConsumptionQuery, consumption

MAX_DAYS = 366


class ConsumptionQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text=_("First day (default: first of this month)."))
    end = serializers.DateField(required=False, help_text=_("Last day (default: today)."))
    group_by = serializers.ChoiceField(choices=GROUPINGS, default="company")
    company = company_slug_field(required=False)

    def validate(self, attrs):
        today = timezone.localdate()
        attrs.setdefault("end", today)
        attrs.setdefault("start", attrs["end"].replace(day=1))
        if attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"start": _("The first day comes after the last day.")})
        if attrs["end"] - attrs["start"] > timedelta(days=MAX_DAYS):
            raise serializers.ValidationError(
                {"start": _("Ask for at most %(days)s days.") % {"days": MAX_DAYS}}
            )
        return attrs


class ConsumptionView(APIView):
    """Requests, errors, bytes sent and latency (average, p95) for a period, grouped by
    company (with this month's calls against the license's monthly limit), endpoint or day."""

    permission_classes = [IsMasterStaff]

    @extend_schema(parameters=[ConsumptionQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        params = ConsumptionQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        company = data.get("company")
        query = ConsumptionQuery(
            start=data["start"],
            end=data["end"],
            group_by=data["group_by"],
            company_id=company.pk if company else None,
        )
        return Response(
            {
                "start": query.start,
                "end": query.end,
                "group_by": query.group_by,
                "company": company.slug if company else None,
                **consumption(query),
            }
        )
