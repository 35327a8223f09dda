"""Inventory under /api/v1/inventory/: warehouses, stock (per lot and summed), movements."""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from erp.access import COMPANY_SIDE, WITH_CENTERS, ActionRoles
from erp.lots.selectors import lot_list
from erp.units import kg_to_qq, kg_to_tm

from . import selectors, services
from .models import StockBalance, StockMovement, Warehouse


class WarehouseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "name", "center", "is_default", "is_active"]
        read_only_fields = ["is_default"]


class WarehouseViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    permission_classes = [ActionRoles]
    action_roles = {"list": WITH_CENTERS, "create": COMPANY_SIDE}
    serializer_class = WarehouseSerializer

    def get_queryset(self):
        return selectors.warehouses_visible_to(self.request.user).select_related("center")

    def perform_create(self, serializer):
        serializer.instance = services.warehouse_create(**serializer.validated_data)


class BalanceSerializer(serializers.ModelSerializer):
    lot_code = serializers.CharField(source="lot.code", read_only=True)
    warehouse_name = serializers.CharField(source="warehouse.name", read_only=True)
    form = serializers.CharField(source="lot.form", read_only=True)
    variety = serializers.CharField(source="lot.variety", read_only=True)
    grade = serializers.CharField(source="lot.grade", read_only=True)
    qq = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    tm = serializers.DecimalField(max_digits=12, decimal_places=3, read_only=True)

    class Meta:
        model = StockBalance
        fields = [
            "id",
            "lot",
            "lot_code",
            "warehouse",
            "warehouse_name",
            "form",
            "variety",
            "grade",
            "kg",
            "qq",
            "tm",
        ]


class StockViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Stock per lot and warehouse (filters: warehouse, lot, form, variety, grade), and
    ``summary/``: the kilograms added up by warehouse, form, variety and grade."""

    permission_classes = [ActionRoles]
    action_roles = {"list": WITH_CENTERS, "summary": WITH_CENTERS}
    serializer_class = BalanceSerializer
    FILTERS = {
        "warehouse": "warehouse_id",
        "lot": "lot_id",
        "form": "lot__form",
        "variety": "lot__variety",
        "grade": "lot__grade",
    }

    def get_queryset(self):
        balances = selectors.balances_visible_to(self.request.user).order_by("warehouse__name", "lot__code")
        for param, field in self.FILTERS.items():
            value = self.request.query_params.get(param)
            if value:
                if field.endswith("_id") and not value.isdigit():
                    raise serializers.ValidationError({param: [_("Give the id.")]})
                balances = balances.filter(**{field: value})
        return balances

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"])
    def summary(self, request):
        rows = selectors.stock_summary(self.get_queryset())
        for row in rows:
            row["qq"], row["tm"], row["kg"] = (
                str(kg_to_qq(row["kg"])),
                str(kg_to_tm(row["kg"])),
                str(row["kg"]),
            )
        return Response(rows)


class MovementSerializer(serializers.ModelSerializer):
    lot_code = serializers.CharField(source="lot.code", read_only=True)
    kg = serializers.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "lot",
            "lot_code",
            "kind",
            "from_warehouse",
            "to_warehouse",
            "kg",
            "reason",
            "reference",
            "at",
        ]
        read_only_fields = ["reference", "at"]


class MovementViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Movements: a transfer or an out by the center or the company side; an adjustment
    (``to_warehouse`` and a signed ``kg``, with a reason) by the company side."""

    permission_classes = [ActionRoles]
    action_roles = {"list": WITH_CENTERS, "create": WITH_CENTERS}
    serializer_class = MovementSerializer

    def get_queryset(self):
        return selectors.movements_visible_to(self.request.user)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        fields = getattr(serializer, "fields", {})
        if "lot" in fields:
            user = self.request.user
            fields["lot"].queryset = lot_list(user=user)
            fields["from_warehouse"].queryset = selectors.warehouses_visible_to(user)
            fields["to_warehouse"].queryset = selectors.warehouses_visible_to(user)
        return serializer

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.stock_move(
            kind=data["kind"],
            lot=data["lot"],
            user=self.request.user,
            kg=Decimal(data["kg"]),
            from_warehouse=data.get("from_warehouse"),
            to_warehouse=data.get("to_warehouse"),
            reason=data.get("reason", ""),
        )
