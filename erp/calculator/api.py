"""The price calculator (/api/v1/calculator/) and the caller's history of it."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from erp.access import EVERYONE, ActionRoles

from . import services
from .models import Calculation

AMOUNT = {"max_digits": 12, "decimal_places": 2}


class CalculationInputSerializer(serializers.Serializer):
    spot = serializers.DecimalField(
        **AMOUNT, min_value=Decimal("0.01"), help_text=_("Reference price in USD per TM.")
    )
    differentials = serializers.ListField(
        child=serializers.DecimalField(**AMOUNT),
        min_length=1,
        max_length=services.MAX_DIFFERENTIALS,
        help_text=_("USD per TM below the spot; a negative differential is a premium."),
    )


class CalculationResultSerializer(serializers.Serializer):
    differential = serializers.DecimalField(**AMOUNT)
    price_per_quintal = serializers.DecimalField(**AMOUNT)


class CalculationSerializer(serializers.ModelSerializer):
    spot = serializers.DecimalField(source="spot_usd_per_tm", read_only=True, **AMOUNT)
    results = CalculationResultSerializer(many=True, read_only=True)

    class Meta:
        model = Calculation
        fields = ["id", "spot", "divisor", "results", "created_at"]
        read_only_fields = fields


class CalculatorView(generics.GenericAPIView):
    """Price per quintal for each differential: (spot - differential) / 22.0462."""

    permission_classes = [ActionRoles]
    action_roles = {"post": EVERYONE}
    serializer_class = CalculationInputSerializer

    @extend_schema(request=CalculationInputSerializer, responses={201: CalculationSerializer})
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        calculation = services.calculation_run(user=request.user, **serializer.validated_data)
        return Response(CalculationSerializer(calculation).data, status=status.HTTP_201_CREATED)


class CalculationHistoryView(generics.ListAPIView):
    """The caller's own calculations, newest first."""

    permission_classes = [ActionRoles]
    action_roles = {"get": EVERYONE}
    serializer_class = CalculationSerializer
    filter_backends = []

    def get_queryset(self):
        return Calculation.objects.filter(user=self.request.user).order_by("-created_at", "-id")
