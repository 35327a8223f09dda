"""Contracts (/api/v1/contracts/): CRUD, the status workflow and their lots."""

from decimal import Decimal

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from erp.access import ADMIN, COMPANY_SIDE, EVERYONE, ActionRoles, lots_visible_to, visible_partners
from erp.lots.api import LotSerializer
from erp.lots.models import Lot
from erp.lots.selectors import lot_list
from erp.partners.models import Partner
from erp.units import kg_to_qq, kg_to_tm, tm_to_kg

from . import selectors, services
from .models import Contract, ContractStatus

# Derived weights, as strings like every Decimal of the API.
QQ = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
TM = serializers.DecimalField(max_digits=16, decimal_places=3, read_only=True)


class ContractSerializer(serializers.ModelSerializer):
    exporter = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    counterparty = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    exporter_name = serializers.CharField(source="exporter.name", read_only=True)
    counterparty_name = serializers.CharField(source="counterparty.name", read_only=True)
    volume_qq = serializers.SerializerMethodField()
    delivered_tm = serializers.SerializerMethodField()
    delivered_qq = serializers.SerializerMethodField()
    pending_tm = serializers.SerializerMethodField()
    pending_qq = serializers.SerializerMethodField()
    allowed_transitions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "code",
            "exporter",
            "exporter_name",
            "counterparty",
            "counterparty_name",
            "variety",
            "signed_on",
            "volume_tm",
            "volume_qq",
            "delivered_tm",
            "delivered_qq",
            "pending_tm",
            "pending_qq",
            "price_type",
            "price_usd_per_tm",
            "differential_usd_per_tm",
            "quality_terms",
            "delivery_from",
            "delivery_to",
            "status",
            "allowed_transitions",
            "status_changed_at",
            "notes",
            "created_at",
            "updated_at",
            "deleted_at",
        ]
        read_only_fields = ["code", "status", "status_changed_at", "created_at", "updated_at", "deleted_at"]

    def _delivered_kg(self, contract) -> Decimal:
        delivered = getattr(contract, "delivered_kg", None)
        return delivered if delivered is not None else services.contract_delivered_kg(contract)

    def _pending_kg(self, contract) -> Decimal:
        return max(tm_to_kg(contract.volume_tm) - self._delivered_kg(contract), Decimal(0))

    @extend_schema_field(QQ)
    def get_volume_qq(self, contract) -> str:
        return str(kg_to_qq(tm_to_kg(contract.volume_tm)))

    @extend_schema_field(TM)
    def get_delivered_tm(self, contract) -> str:
        return str(kg_to_tm(self._delivered_kg(contract)))

    @extend_schema_field(QQ)
    def get_delivered_qq(self, contract) -> str:
        return str(kg_to_qq(self._delivered_kg(contract)))

    @extend_schema_field(TM)
    def get_pending_tm(self, contract) -> str:
        return str(kg_to_tm(self._pending_kg(contract)))

    @extend_schema_field(QQ)
    def get_pending_qq(self, contract) -> str:
        return str(kg_to_qq(self._pending_kg(contract)))


class ContractFilter(django_filters.FilterSet):
    signed_after = django_filters.DateFilter(field_name="signed_on", lookup_expr="gte")
    signed_before = django_filters.DateFilter(field_name="signed_on", lookup_expr="lte")
    delivery_after = django_filters.DateFilter(field_name="delivery_to", lookup_expr="gte")
    delivery_before = django_filters.DateFilter(field_name="delivery_from", lookup_expr="lte")
    counterparty = django_filters.ModelChoiceFilter(queryset=visible_partners)
    exporter = django_filters.ModelChoiceFilter(queryset=visible_partners)

    class Meta:
        model = Contract
        fields = ["status", "counterparty", "exporter", "variety", "price_type"]


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ContractStatus.choices)


class AssignLotSerializer(serializers.Serializer):
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.all())


class ContractViewSet(viewsets.ModelViewSet):
    """Contracts with contracted, delivered and pending volume; partner users see the
    contracts their partner is party to."""

    permission_classes = [ActionRoles]
    action_roles = {
        "list": EVERYONE,
        "retrieve": EVERYONE,
        "create": COMPANY_SIDE,
        "update": COMPANY_SIDE,
        "partial_update": COMPANY_SIDE,
        "destroy": COMPANY_SIDE,
        "transition": COMPANY_SIDE,
        "lots": EVERYONE,
        "assign_lot": COMPANY_SIDE,
        "restore": ADMIN,
    }
    serializer_class = ContractSerializer
    filterset_class = ContractFilter
    search_fields = ["code", "counterparty__name", "exporter__name", "notes"]
    ordering_fields = ["created_at", "signed_on", "volume_tm", "code", "delivery_from"]

    def get_queryset(self):
        return selectors.contract_list(user=self.request.user, include_deleted=self.action == "restore")

    def perform_create(self, serializer):
        serializer.instance = services.contract_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.contract_update(
            contract=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.contract_delete(contract=instance)

    def _fresh(self, contract):
        return self.get_serializer(self.get_queryset().get(pk=contract.pk)).data

    @extend_schema(request=TransitionSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract = services.contract_transition(
            contract=self.get_object(), to_status=serializer.validated_data["status"], user=request.user
        )
        return Response(self._fresh(contract))

    @extend_schema(request=None, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        return Response(self._fresh(services.contract_restore(contract=self.get_object())))

    @extend_schema(responses=LotSerializer(many=True))
    @action(detail=True, methods=["get"])
    def lots(self, request, pk=None):
        contract = self.get_object()
        page = self.paginate_queryset(lot_list(user=request.user).filter(contract=contract))
        return self.get_paginated_response(LotSerializer(page, many=True).data)

    @extend_schema(request=AssignLotSerializer, responses={201: LotSerializer})
    @lots.mapping.post
    def assign_lot(self, request, pk=None):
        contract = self.get_object()
        serializer = AssignLotSerializer(data=request.data)
        serializer.fields["lot"].queryset = lots_visible_to(
            request.user, Lot.objects.select_related("contract")
        )
        serializer.is_valid(raise_exception=True)
        lot = services.contract_assign_lot(
            contract=contract, lot=serializer.validated_data["lot"], user=request.user
        )
        return Response(LotSerializer(lot).data, status=status.HTTP_201_CREATED)


def get_contract_for_user(user, pk) -> Contract:
    return get_object_or_404(selectors.contract_list(user=user), pk=pk)
