"""Inventory under /api/v1/inventory/: warehouses, stock (per lot and summed), movements."""

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from erp.access import COMPANY_SIDE, WITH_CENTERS, ActionRoles
from erp.lots.selectors import lot_list
from erp.units import kg_to_qq, kg_to_tm

from . import selectors, services
from .models import MovementKind, StockBalance, StockMovement, Warehouse


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
                    raise serializers.ValidationError({param: ["Give the id."]})
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

    def validate(self, data):
        kind = data["kind"]
        if kind == MovementKind.IN:
            raise serializers.ValidationError({"kind": ["Goods come in through a reception."]})
        needs = {
            "transfer": ("from_warehouse", "to_warehouse"),
            "out": ("from_warehouse",),
            "adjustment": ("to_warehouse",),
        }[kind]
        missing = {field: ["This field is required."] for field in needs if not data.get(field)}
        if missing:
            raise serializers.ValidationError(missing)
        return data


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
        data, user = serializer.validated_data, self.request.user
        kind, lot, kg = data["kind"], data["lot"], Decimal(data["kg"])
        if kind == MovementKind.ADJUSTMENT and user.role not in COMPANY_SIDE:
            raise serializers.ValidationError({"kind": ["Adjustments are made by the company's staff."]})
        if kind == MovementKind.TRANSFER:
            movement = services.stock_transfer(
                lot=lot,
                from_warehouse=data["from_warehouse"],
                to_warehouse=data["to_warehouse"],
                kg=kg,
                user=user,
                reason=data.get("reason", ""),
            )
        elif kind == MovementKind.OUT:
            movement = services.stock_out(
                lot=lot, warehouse=data["from_warehouse"], kg=kg, user=user, reason=data.get("reason", "")
            )
        else:
            movement = services.stock_adjust(
                lot=lot, warehouse=data["to_warehouse"], kg_delta=kg, user=user, reason=data.get("reason", "")
            )
        serializer.instance = movement
