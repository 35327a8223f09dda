from decimal import Decimal

from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from erp.access import EVERYONE, ActionRoles

from .selectors import dashboard_for


class DashboardView(APIView):
    """The KPIs of the caller's role, over what the caller may see: stock by status with
    weight and average humidity, open contracts with contracted/delivered/pending TM,
    deliveries this month, open demand, the latest FOB price and the last calculation."""

    permission_classes = [ActionRoles]
    action_roles = {"get": EVERYONE}

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(_decimals_as_strings(dashboard_for(user=request.user)))


def _decimals_as_strings(value):
    """Decimals travel as strings in this API (as DRF's DecimalField does), not as floats."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _decimals_as_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decimals_as_strings(item) for item in value]
    return value
