"""Lots (/api/v1/lots/): weights in quintales (kept in kg), humidity, status, timeline."""

import json
from decimal import Decimal

import django_filters
import orjson
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response

from erp.access import (
    ADMIN,
    COMPANY_SIDE,
    EVERYONE,
    WITH_CENTERS,
    ActionRoles,
    is_company_side,
    user_partner_id,
    visible_contracts,
    visible_partners,
)
from erp.api import LargeJSONRenderer
from erp.partners.models import Partner
from erp.units import CENT, kg_to_qq, kg_to_tm

from . import selectors, services
from .genealogy import MAX_DEPTH, lot_genealogy_json
from .models import Lot, LotEvent


class LotSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all(), required=False)
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    contract_code = serializers.CharField(source="contract.code", read_only=True, default=None)
    weight_qq = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, min_value=Decimal("0.01")
    )
    weight_kg = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, min_value=Decimal("0.01")
    )
    weight_tm = serializers.DecimalField(max_digits=12, decimal_places=3, read_only=True)
    code = serializers.CharField(max_length=40, required=False, allow_blank=True)

    def validate_metadata(self, value):
        if "\\u0000" in json.dumps(value):
            raise serializers.ValidationError(_("Null characters are not allowed."))
        return value

    class Meta:
        model = Lot
        fields = [
            "id",
            "code",
            "owner",
            "owner_name",
            "contract",
            "contract_code",
            "variety",
            "form",
            "grade",
            "weight_qq",
            "weight_kg",
            "weight_tm",
            "humidity_percent",
            "status",
            "received_on",
            "metadata",
            "created_at",
            "updated_at",
            "deleted_at",
        ]
        read_only_fields = ["contract", "grade", "created_at", "updated_at", "deleted_at"]


class LotListSerializer(LotSerializer):
    """The same output as LotSerializer, built from the rows of ``selectors.lot_rows``: a page
    of 50 lots spent ~10 ms in DRF's per-field machinery and ~4 ms building model instances.
    tests/erp/test_lots.py checks that both give identical JSON, so they cannot drift apart."""

    def to_representation(self, row):
        moment = self.fields["created_at"].to_representation
        humidity = row["humidity_percent"]
        return {
            "id": row["id"],
            "code": row["code"],
            "owner": row["owner_id"],
            "owner_name": row["owner__name"],
            "contract": row["contract_id"],
            "contract_code": row["contract__code"],
            "variety": row["variety"],
            "form": row["form"],
            "grade": row["grade"],
            "weight_qq": str(kg_to_qq(row["weight_kg"])),
            "weight_kg": str(row["weight_kg"].quantize(CENT)),
            "weight_tm": str(kg_to_tm(row["weight_kg"])),
            "humidity_percent": None if humidity is None else str(humidity.quantize(CENT)),
            "status": row["status"],
            "received_on": row["received_on"].isoformat() if row["received_on"] else None,
            "metadata": row["metadata"],
            "created_at": moment(row["created_at"]),
            "updated_at": moment(row["updated_at"]),
            "deleted_at": moment(row["deleted_at"]) if row["deleted_at"] else None,
        }


class LotFilter(django_filters.FilterSet):
    received_after = django_filters.DateFilter(field_name="received_on", lookup_expr="gte")
    received_before = django_filters.DateFilter(field_name="received_on", lookup_expr="lte")
    created_after = django_filters.DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.DateTimeFilter(field_name="created_at", lookup_expr="lte")
    humidity_max = django_filters.NumberFilter(field_name="humidity_percent", lookup_expr="lte")
    owner = django_filters.ModelChoiceFilter(queryset=visible_partners)
    contract = django_filters.ModelChoiceFilter(queryset=visible_contracts)

    class Meta:
        model = Lot
        fields = ["status", "owner", "contract", "variety"]


class LotSplitSerializer(serializers.Serializer):
    parts = serializers.ListField(
        child=serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01")),
        min_length=1,
        max_length=100,
        help_text="Weights in kg of the new lots; the rest stays in the lot.",
    )


class LotMergeSerializer(serializers.Serializer):
    lots = serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=100)
    code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class LotEventSerializer(serializers.ModelSerializer):
    actor = serializers.EmailField(source="actor.email", read_only=True, default=None)

    class Meta:
        model = LotEvent
        fields = ["id", "action", "changes", "actor", "at"]


class LotViewSet(viewsets.ModelViewSet):
    """Lots and their traceability. Centers register and update their own partner's lots;
    suppliers read theirs."""

    permission_classes = [ActionRoles]
    action_roles = {
        "list": EVERYONE,
        "retrieve": EVERYONE,
        "timeline": EVERYONE,
        "create": WITH_CENTERS,
        "update": WITH_CENTERS,
        "partial_update": WITH_CENTERS,
        "destroy": COMPANY_SIDE,
        "restore": ADMIN,
        "genealogy": EVERYONE,
        "split": WITH_CENTERS,
        "merge": WITH_CENTERS,
    }
    serializer_class = LotSerializer
    filterset_class = LotFilter
    search_fields = ["code", "owner__name"]
    ordering_fields = ["created_at", "weight_kg", "humidity_percent", "code", "received_on"]

    def get_queryset(self):
        return selectors.lot_list(
            user=self.request.user, include_deleted=self.action in ("restore", "genealogy")
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(selectors.lot_rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(LotListSerializer(page, many=True).data)

    def _owner(self, data, current=None):
        """Company-side users choose the owner; a center's lots belong to its partner."""
        user = self.request.user
        if is_company_side(user):
            owner = data.get("owner", current)
            if owner is None:
                raise serializers.ValidationError({"owner": [_("Choose the partner who owns the lot.")]})
            return owner
        partner_id = user_partner_id(user)
        if partner_id is None:
            raise PermissionDenied(_("Your user is not bound to a partner; ask your administrator."))
        if "owner" in data and data["owner"].pk != partner_id:
            raise serializers.ValidationError(
                {"owner": [_("You can register lots of your own partner only.")]}
            )
        partner = Partner.objects.filter(pk=partner_id).first()
        if partner is None:
            raise PermissionDenied(_("Your user is not bound to a partner; ask your administrator."))
        return partner

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if "owner" in getattr(serializer, "fields", {}):
            serializer.fields["owner"].queryset = visible_partners(self.request)
        return serializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data["owner"] = self._owner(data)
        serializer.instance = services.lot_create(user=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "owner" in data:
            data["owner"] = self._owner(data, serializer.instance.owner)
        serializer.instance = services.lot_update(lot=serializer.instance, user=self.request.user, **data)

    def perform_destroy(self, instance):
        services.lot_delete(lot=instance, user=self.request.user)

    @extend_schema(responses=LotEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        events = self.get_object().events.select_related("actor")
        return Response(LotEventSerializer(events, many=True).data)

    @extend_schema(request=None, responses=LotSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        lot = services.lot_restore(lot=self.get_object(), user=request.user)
        return Response(LotSerializer(lot).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("direction", str, enum=["up", "down"], description="up: what fed the lot")
        ],
        responses=OpenApiTypes.OBJECT,
        description=(
            "The lot and, nested in `lots`, every lot that fed it (up) or that it went into (down), "
            "each with `kg` carried along its link and its valid receptions. A lot of another partner "
            'is `"hidden": true` without details. A lot reached a second time is `"repeated": true` '
            f'without its branches; one {MAX_DEPTH} levels down with more behind it is `"deeper": true` '
            "(ask for its own genealogy)."
        ),
    )
    @action(detail=True, methods=["get"], renderer_classes=[LargeJSONRenderer, BrowsableAPIRenderer])
    def genealogy(self, request, pk=None):
        direction = request.query_params.get("direction", "up")
        if direction not in ("up", "down"):
            raise serializers.ValidationError({"direction": [_("Choose up or down.")]})
        visible = selectors.lot_list(user=request.user, include_deleted=True)
        tree = lot_genealogy_json(lot=self.get_object(), direction=direction, visible=visible)
        return Response(orjson.Fragment(tree))

    @extend_schema(request=LotSplitSerializer, responses=LotSerializer(many=True))
    @action(detail=True, methods=["post"])
    def split(self, request, pk=None):
        from erp.inventory.blending import lot_split

        serializer = LotSplitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        children = lot_split(
            lot=self.get_object(), user=request.user, parts=serializer.validated_data["parts"]
        )
        return Response(LotSerializer(children, many=True).data, status=201)

    @extend_schema(request=LotMergeSerializer, responses=LotSerializer)
    @action(detail=False, methods=["post"])
    def merge(self, request):
        from erp.inventory.blending import lot_merge

        serializer = LotMergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = set(serializer.validated_data["lots"])
        lots = list(self.get_queryset().filter(pk__in=ids))
        if len(lots) != len(ids):
            raise serializers.ValidationError(
                {"lots": [_("Some of these lots do not exist or are not yours.")]}
            )
        merged = lot_merge(lots=lots, user=request.user, code=serializer.validated_data["code"])
        return Response(LotSerializer(merged).data, status=201)
