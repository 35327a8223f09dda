"""Finance API under /api/v1/finance/: costs, payments to suppliers and from buyers, a lot's
cost, a shipment's margin, margins grouped, payables (with their ageing), receivables and
the reports as files. The company side (admin, exporter) sees and does everything; a
supplier reads its own payables and nothing else; a center nothing."""

from decimal import ROUND_HALF_UP, Decimal

import django_filters
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from erp.access import COMPANY_SIDE, ActionRoles
from erp.export.models import Shipment
from erp.lots.models import Lot
from erp.reception.models import Reception
from erp.units import KG_PER_TM
from triboka.accounts.models import Role

from . import reports, selectors, services
from .costing import HEADS, lot_cost, money, shipment_cost
from .models import BuyerPayment, Cost, SupplierPayment

WITH_SUPPLIERS = COMPANY_SIDE | {Role.SUPPLIER}
READ_ONLY = {"list": COMPANY_SIDE, "retrieve": COMPANY_SIDE}


def _text(value) -> str | None:
    """Numbers as strings, as DRF's DecimalField writes them (a JSON float would lose cents)."""
    return None if value is None else str(value)


def _usd(value: Decimal | None) -> str | None:
    return _text(money(value))


def _per_kg(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.0001"), ROUND_HALF_UP))


def _heads(amounts: dict) -> dict:
    return {head: _usd(amounts[head]) for head in HEADS}


# --- Costs -------------------------------------------------------------------------------


class CostSerializer(serializers.ModelSerializer):
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.all(), required=False, allow_null=True)
    shipment = serializers.PrimaryKeyRelatedField(
        queryset=Shipment.objects.all(), required=False, allow_null=True
    )
    lot_code = serializers.CharField(source="lot.code", read_only=True, default=None)
    shipment_code = serializers.CharField(source="shipment.code", read_only=True, default=None)
    created_by = serializers.EmailField(source="created_by.email", read_only=True, default=None)

    class Meta:
        model = Cost
        fields = [
            "id",
            "kind",
            "lot",
            "lot_code",
            "shipment",
            "shipment_code",
            "amount_usd",
            "description",
            "incurred_on",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class CostFilter(django_filters.FilterSet):
    lot = django_filters.NumberFilter(field_name="lot_id")
    shipment = django_filters.NumberFilter(field_name="shipment_id")

    class Meta:
        model = Cost
        fields = ["lot", "shipment", "kind"]


class CostViewSet(viewsets.ModelViewSet):
    permission_classes = [ActionRoles]
    action_roles = dict.fromkeys(
        ("list", "retrieve", "create", "update", "partial_update", "destroy"), COMPANY_SIDE
    )
    serializer_class = CostSerializer
    filterset_class = CostFilter
    ordering_fields = ["incurred_on", "amount_usd"]
    search_fields = ["description"]

    def get_queryset(self):
        return selectors.cost_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.cost_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.cost_update(
            cost=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.cost_delete(cost=instance, user=self.request.user)


# --- Payments ----------------------------------------------------------------------------


class SupplierPaymentSerializer(serializers.ModelSerializer):
    reception = serializers.PrimaryKeyRelatedField(queryset=Reception.objects.all())
    reception_number = serializers.CharField(source="reception.number", read_only=True)
    supplier = serializers.IntegerField(source="reception.supplier_id", read_only=True)
    supplier_name = serializers.CharField(source="reception.supplier.name", read_only=True)

    class Meta:
        model = SupplierPayment
        fields = [
            "id",
            "reception",
            "reception_number",
            "supplier",
            "supplier_name",
            "amount_usd",
            "paid_on",
            "method",
            "reference",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class SupplierPaymentFilter(django_filters.FilterSet):
    reception = django_filters.NumberFilter(field_name="reception_id")
    supplier = django_filters.NumberFilter(field_name="reception__supplier_id")

    class Meta:
        model = SupplierPayment
        fields = ["reception", "supplier", "method"]


class RecordViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Payments are records: listed, read and recorded, never changed or deleted."""

    permission_classes = [ActionRoles]
    action_roles = {**READ_ONLY, "create": COMPANY_SIDE}


class SupplierPaymentViewSet(RecordViewSet):
    serializer_class = SupplierPaymentSerializer
    filterset_class = SupplierPaymentFilter
    ordering_fields = ["paid_on", "amount_usd"]

    def get_queryset(self):
        return selectors.supplier_payment_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.supplier_payment_record(
            user=self.request.user, **serializer.validated_data
        )


class BuyerPaymentSerializer(serializers.ModelSerializer):
    shipment = serializers.PrimaryKeyRelatedField(queryset=Shipment.objects.all())
    shipment_code = serializers.CharField(source="shipment.code", read_only=True)

    class Meta:
        model = BuyerPayment
        fields = ["id", "shipment", "shipment_code", "amount_usd", "received_on", "reference", "created_at"]
        read_only_fields = ["created_at"]


class BuyerPaymentFilter(django_filters.FilterSet):
    shipment = django_filters.NumberFilter(field_name="shipment_id")

    class Meta:
        model = BuyerPayment
        fields = ["shipment"]


class BuyerPaymentViewSet(RecordViewSet):
    serializer_class = BuyerPaymentSerializer
    filterset_class = BuyerPaymentFilter
    ordering_fields = ["received_on", "amount_usd"]

    def get_queryset(self):
        return selectors.buyer_payment_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.buyer_payment_record(
            user=self.request.user, **serializer.validated_data
        )


# --- Costs and margins -------------------------------------------------------------------


class LotCostView(APIView):
    """A lot's cost through its genealogy, by head, and its unit cost."""

    permission_classes = [ActionRoles]
    action_roles = {"get": COMPANY_SIDE}

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        lot = get_object_or_404(Lot.all_objects, pk=pk)
        cost = lot_cost(lot=lot)
        unit = cost.unit_usd_per_kg
        return Response(
            {
                "lot": lot.pk,
                "code": lot.code,
                "held_kg": _text(cost.held_kg),
                "passed_on_kg": _text(cost.passed_kg),
                "total_usd": _usd(cost.total_usd),
                "by_head": _heads(cost.by_head),
                "unit_usd_per_kg": _per_kg(unit),
                "unit_usd_per_tm": _usd(None if unit is None else unit * KG_PER_TM),
            }
        )


def _margin_data(margin) -> dict:
    costs = margin.unit_costs
    shipment = margin.shipment
    return {
        "shipment": shipment.pk,
        "code": shipment.code,
        "sales_contract": shipment.sales_contract.code,
        "priced": margin.priced,
        "sale_price_usd_per_tm": _text(shipment.sales_contract.sale_price_usd_per_tm),
        "kg": _text(margin.kg),
        "revenue_usd": _usd(margin.revenue_usd),
        "cost_usd": _usd(margin.cost_usd),
        "cost_by_head": _heads(margin.cost_by_head),
        "margin_usd": _usd(margin.margin_usd),
        "margin_percent": _text(margin.margin_percent),
        "loads": [
            {
                "lot": load.lot_id,
                "kg": _text(load.kg),
                "unit_usd_per_kg": _per_kg(costs[load.lot_id].unit_usd_per_kg),
                "cost_usd": _usd(load.kg * (costs[load.lot_id].unit_usd_per_kg or 0)),
            }
            for load in margin.loads
        ],
    }


class ShipmentMarginView(APIView):
    permission_classes = [ActionRoles]
    action_roles = {"get": COMPANY_SIDE}

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        shipment = get_object_or_404(selectors.shipments_for_margins(user=request.user), pk=pk)
        return Response(_margin_data(shipment_cost(shipment=shipment)))


def _row_data(row) -> dict:
    return {
        "key": row.key.isoformat() if hasattr(row.key, "isoformat") else row.key,
        "label": row.label,
        **row.extra,
        "shipments": row.shipments,
        "kg": _usd(row.kg),
        "revenue_usd": _usd(row.revenue_usd),
        "cost_usd": _usd(row.cost_usd),
        "margin_usd": _usd(row.margin_usd),
        "margin_percent": _text(row.margin_percent),
    }


class MarginsView(APIView):
    """Margins grouped ``?by=`` shipment (the default), contract, month or supplier; shipments
    whose sale has no price yet are listed apart under ``not_priced``."""

    permission_classes = [ActionRoles]
    action_roles = {"get": COMPANY_SIDE}

    @extend_schema(
        parameters=[OpenApiParameter("by", str, enum=list(selectors.MARGIN_GROUPINGS))],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        by = request.query_params.get("by") or "shipment"
        if by not in selectors.MARGIN_GROUPINGS:
            choices = ", ".join(selectors.MARGIN_GROUPINGS)
            raise serializers.ValidationError(
                {"by": [_("Group by one of: %(choices)s.") % {"choices": choices}]}
            )
        report = selectors.margins_by(user=request.user, by=by)
        return Response(
            {
                "by": by,
                "rows": [_row_data(row) for row in report.rows],
                "not_priced": [
                    {
                        "shipment": margin.shipment.pk,
                        "code": margin.shipment.code,
                        "sales_contract": margin.shipment.sales_contract.code,
                        "revenue_usd": None,
                        "cost_usd": _usd(margin.cost_usd),
                    }
                    for margin in report.not_priced
                ],
            }
        )


# --- Payables and receivables ------------------------------------------------------------


class PayableSerializer(serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    center_name = serializers.CharField(source="center.name", read_only=True)
    paid_usd = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    pending_usd = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    status = serializers.CharField(source="payment_status", read_only=True)
    days = serializers.SerializerMethodField()

    class Meta:
        model = Reception
        fields = [
            "id",
            "number",
            "received_at",
            "supplier",
            "supplier_name",
            "center_name",
            "net_weight_kg",
            "amount_usd",
            "paid_usd",
            "pending_usd",
            "status",
            "days",
        ]

    def get_days(self, reception) -> int:
        return selectors.days_since(reception)


class PayableFilter(django_filters.FilterSet):
    supplier = django_filters.NumberFilter(field_name="supplier_id")
    status = django_filters.ChoiceFilter(
        field_name="payment_status",
        choices=[(value, value) for value in ("paid", "partial", "pending")],
    )

    class Meta:
        model = Reception
        fields = ["supplier", "status"]


class PayablesView(ListAPIView):
    """What is owed to suppliers, reception by reception; ``?ageing=1``: per supplier, by age.
    A supplier sees only its own receptions."""

    permission_classes = [ActionRoles]
    action_roles = {"get": WITH_SUPPLIERS}
    serializer_class = PayableSerializer
    filterset_class = PayableFilter
    ordering_fields = ["received_at", "pending_usd"]

    def get_queryset(self):
        return selectors.payable_list(user=self.request.user)

    @extend_schema(parameters=[OpenApiParameter("ageing", bool)])
    def get(self, request, *args, **kwargs):
        if request.query_params.get("ageing") not in (None, "", "0", "false"):
            rows = selectors.payables_ageing(user=request.user)
            keys = [key for key, *_rest in selectors.AGEING_BUCKETS] + ["total"]
            totals = {key: _usd(sum((row[key] for row in rows), Decimal("0"))) for key in keys}
            rows = [{**row, **{key: _usd(row[key]) for key in keys}} for row in rows]
            return Response({"rows": rows, "total": totals})
        return super().get(request, *args, **kwargs)


class ReceivablesView(APIView):
    """What buyers owe, shipment by shipment (not paginated: a company's shipments are few)."""

    permission_classes = [ActionRoles]
    action_roles = {"get": COMPANY_SIDE}

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        rows = selectors.receivable_list(user=request.user)
        pending = sum((row.pending_usd for row in rows if row.pending_usd is not None), Decimal("0"))
        return Response(
            {
                "rows": [
                    {
                        "shipment": row.shipment.pk,
                        "code": row.shipment.code,
                        "sales_contract": row.shipment.sales_contract.code,
                        "buyer": row.shipment.sales_contract.buyer.name,
                        "revenue_usd": _usd(row.revenue_usd),
                        "received_usd": _usd(row.received_usd),
                        "pending_usd": _usd(row.pending_usd),
                        "status": row.status,
                    }
                    for row in rows
                ],
                "total_pending_usd": _usd(pending),
            }
        )


class ReportView(APIView):
    permission_classes = [ActionRoles]
    action_roles = {"get": COMPANY_SIDE}

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, name: str, fmt: str):
        if name not in reports.REPORTS or fmt not in reports.FORMATS:
            raise Http404
        content, content_type = reports.finance_report(user=request.user, name=name, fmt=fmt)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response
