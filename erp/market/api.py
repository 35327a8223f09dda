"""The exporter's demand (/api/v1/demand/) and FOB reference prices (/api/v1/fob-prices/)."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from erp.access import ADMIN, COMPANY_SIDE, EVERYONE, ActionRoles
from erp.units import kg_to_qq, price_per_quintal, tm_to_kg

from . import selectors, services
from .models import Demand, FobPrice


class DemandSerializer(serializers.ModelSerializer):
    month = serializers.DateField(
        input_formats=["%Y-%m", "iso-8601"], help_text=gettext_lazy("The first day of the month, or YYYY-MM.")
    )
    qq_wanted = serializers.SerializerMethodField()
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = Demand
        fields = [
            "id", "month", "tm_wanted", "qq_wanted", "variety", "contract_type", "valid_from", "valid_to",
            "is_open", "notes", "created_at", "updated_at", "deleted_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at", "deleted_at"]

    def get_qq_wanted(self, demand) -> str:
        return str(kg_to_qq(tm_to_kg(demand.tm_wanted)))

    def get_is_open(self, demand) -> bool:
        return demand.valid_from <= timezone.localdate() <= demand.valid_to


class DemandFilter(django_filters.FilterSet):
    month = django_filters.DateFromToRangeFilter(label=gettext_lazy("Month between (inclusive)"))
    open = django_filters.BooleanFilter(method="filter_open", label=gettext_lazy("Open today"))

    class Meta:
        model = Demand
        fields = ["month", "variety", "contract_type", "open"]

    def filter_open(self, queryset, name, value):
        today = timezone.localdate()
        if value:
            return queryset.open_on(today)
        return queryset.exclude(valid_from__lte=today, valid_to__gte=today)


class DemandViewSet(viewsets.ModelViewSet):
    """What the exporter wants to buy each month. Centers and suppliers see the open demand."""

    permission_classes = [ActionRoles]
    action_roles = {
        "list": EVERYONE, "retrieve": EVERYONE, "create": COMPANY_SIDE, "update": COMPANY_SIDE,
        "partial_update": COMPANY_SIDE, "destroy": COMPANY_SIDE, "restore": ADMIN,
    }  # fmt: skip
    serializer_class = DemandSerializer
    filterset_class = DemandFilter
    search_fields = ["notes"]
    ordering_fields = ["month", "tm_wanted", "valid_from", "valid_to", "created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Demand.objects.none()
        return selectors.demand_list(user=self.request.user, include_deleted=self.action == "restore")

    def perform_create(self, serializer):
        serializer.instance = services.demand_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.demand_update(demand=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.demand_delete(demand=instance)

    @extend_schema(request=None, responses=DemandSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        demand = services.demand_restore(demand=self.get_object())
        return Response(self.get_serializer(demand).data)


# --- FOB reference prices --------------------------------------------------------------


class FobPriceSerializer(serializers.ModelSerializer):
    usd_per_qq = serializers.SerializerMethodField()

    class Meta:
        model = FobPrice
        fields = ["id", "year", "month", "usd_per_tm", "usd_per_qq", "source", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        validators = []  # (year, month, source) uniqueness is the service's (model full_clean)

    def get_usd_per_qq(self, price) -> str:
        return str(price_per_quintal(price.usd_per_tm, 0))


class FobPriceViewSet(viewsets.ModelViewSet):
    """Monthly FOB reference prices in USD/TM (and per quintal), by source."""

    permission_classes = [ActionRoles]
    action_roles = {
        "list": EVERYONE, "retrieve": EVERYONE, "latest": EVERYONE, "create": ADMIN, "update": ADMIN,
        "partial_update": ADMIN, "destroy": ADMIN,
    }  # fmt: skip
    serializer_class = FobPriceSerializer
    queryset = FobPrice.objects.order_by("-year", "-month", "source")
    filterset_fields = ["year", "month", "source"]
    search_fields = ["source"]
    ordering_fields = ["year", "month", "usd_per_tm", "source", "updated_at"]

    def perform_create(self, serializer):
        serializer.instance = services.fob_price_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.fob_price_update(
            fob_price=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.fob_price_delete(fob_price=instance)

    @extend_schema(
        parameters=[
            OpenApiParameter("source", OpenApiTypes.STR, description=gettext_lazy("Only this source."))
        ],
        responses=FobPriceSerializer,
    )
    @action(detail=False, methods=["get"])
    def latest(self, request):
        source = forms.CharField(required=False, max_length=100)
        try:
            source = source.clean(request.query_params.get("source", ""))
        except ValidationError as error:
            raise serializers.ValidationError({"source": error.messages}) from error
        price = selectors.fob_price_latest(source=source or None)
        if price is None:
            raise NotFound(_("No FOB reference price has been recorded yet."))
        return Response(self.get_serializer(price).data)
