"""Receptions (/api/v1/receptions/): weights, moisture and impurity discounts, paid weight,
price and amount; creation (lot and stock), voiding, the supplier's receipt (PDF), and a
paid-weight preview for the form."""

from decimal import Decimal

import django_filters
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from erp.access import COMPANY_SIDE, EVERYONE, WITH_CENTERS, ActionRoles, lots_visible_to, user_partner_id
from erp.contracts.models import Variety
from erp.lots.models import Lot, ProductForm
from erp.partners.models import Partner, PartnerKind
from erp.units import kg_to_qq
from iot.models import Reading
from iot.selectors import readings_visible_to

from . import selectors, services
from .formulas import amount_usd, paid_weight_breakdown
from .models import PriceMode, Reception
from .receipt import receipt_pdf

WEIGHT = {"max_digits": 12, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2, "min_value": Decimal("0"), "max_value": Decimal("100")}


class ReceptionSerializer(serializers.ModelSerializer):
    center_name = serializers.CharField(source="center.name", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    lot_code = serializers.CharField(source="lot.code", read_only=True)
    contract_code = serializers.CharField(source="contract.code", read_only=True, default=None)
    net_weight_qq = serializers.DecimalField(source="net_qq", max_digits=12, decimal_places=2, read_only=True)
    net_weight_tm = serializers.DecimalField(source="net_tm", max_digits=12, decimal_places=3, read_only=True)
    paid_weight_qq = serializers.DecimalField(
        source="paid_qq", max_digits=12, decimal_places=2, read_only=True
    )
    is_voided = serializers.BooleanField(read_only=True)

    class Meta:
        model = Reception
        fields = [
            "id",
            "number",
            "center",
            "center_name",
            "supplier",
            "supplier_name",
            "received_at",
            "form",
            "variety",
            "gross_weight_kg",
            "tare_weight_kg",
            "net_weight_kg",
            "net_weight_qq",
            "net_weight_tm",
            "sacks",
            "moisture_percent",
            "impurities_percent",
            "standard_moisture_percent",
            "moisture_discount_kg",
            "impurities_discount_kg",
            "paid_weight_kg",
            "paid_weight_qq",
            "price_mode",
            "spot_usd_per_tm",
            "differential_usd_per_tm",
            "contract",
            "contract_code",
            "price_usd_per_qq",
            "amount_usd",
            "lot",
            "lot_code",
            "reading",
            "notes",
            "created_at",
            "is_voided",
            "voided_at",
            "void_reason",
        ]
        read_only_fields = fields


def _partners(kind):
    return Partner.objects.filter(kind=kind)


class ReceptionCreateSerializer(serializers.Serializer):
    center = serializers.PrimaryKeyRelatedField(queryset=_partners(PartnerKind.CENTER), required=False)
    supplier = serializers.PrimaryKeyRelatedField(queryset=_partners(PartnerKind.SUPPLIER))
    received_at = serializers.DateTimeField(required=False)
    form = serializers.ChoiceField(choices=ProductForm.choices)
    variety = serializers.ChoiceField(choices=Variety.choices)
    gross_weight_kg = serializers.DecimalField(**WEIGHT, min_value=Decimal("0.01"), required=False)
    tare_weight_kg = serializers.DecimalField(**WEIGHT, min_value=Decimal("0"), required=False)
    net_weight_kg = serializers.DecimalField(**WEIGHT, min_value=Decimal("0.01"), required=False)
    sacks = serializers.IntegerField(min_value=0, max_value=100000, required=False, default=0)
    moisture_percent = serializers.DecimalField(**PERCENT, required=False)
    impurities_percent = serializers.DecimalField(**PERCENT, required=False, default=Decimal("0"))
    price_mode = serializers.ChoiceField(choices=PriceMode.choices)
    price_usd_per_qq = serializers.DecimalField(**WEIGHT, min_value=Decimal("0.01"), required=False)
    spot_usd_per_tm = serializers.DecimalField(**WEIGHT, min_value=Decimal("0.01"), required=False)
    differential_usd_per_tm = serializers.DecimalField(**WEIGHT, required=False)
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.all(), required=False, allow_null=True)
    reading = serializers.PrimaryKeyRelatedField(
        queryset=Reading.objects.select_related("device"), required=False, allow_null=True
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        self.fields["lot"].queryset = lots_visible_to(user, Lot.objects.all())
        self.fields["reading"].queryset = readings_visible_to(user).select_related("device")

    def validate(self, data):
        """A center user receives at its own center: it need not name it."""
        if "center" not in data:
            user = self.context["request"].user
            center = None
            if user.role not in COMPANY_SIDE:
                center = _partners(PartnerKind.CENTER).filter(pk=user_partner_id(user)).first()
            if center is None:
                raise serializers.ValidationError({"center": _("Choose the collection center.")})
            data["center"] = center
        return data


class ReceptionVoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class PaidWeightInputSerializer(serializers.Serializer):
    net_weight_kg = serializers.DecimalField(**WEIGHT, min_value=Decimal("0.01"))
    moisture_percent = serializers.DecimalField(**PERCENT)
    impurities_percent = serializers.DecimalField(**PERCENT, required=False, default=Decimal("0"))
    price_usd_per_qq = serializers.DecimalField(**WEIGHT, min_value=Decimal("0.01"), required=False)


class PaidWeightSerializer(serializers.Serializer):
    net_weight_kg = serializers.DecimalField(**WEIGHT)
    standard_moisture_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    moisture_discount_kg = serializers.DecimalField(**WEIGHT)
    impurities_discount_kg = serializers.DecimalField(**WEIGHT)
    paid_weight_kg = serializers.DecimalField(**WEIGHT)
    paid_weight_qq = serializers.DecimalField(**WEIGHT)
    amount_usd = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class ReceptionFilter(django_filters.FilterSet):
    received_from = django_filters.DateFilter(field_name="received_at", lookup_expr="date__gte")
    received_to = django_filters.DateFilter(field_name="received_at", lookup_expr="date__lte")
    voided = django_filters.BooleanFilter(field_name="voided_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Reception
        fields = ["supplier", "center", "form", "variety", "lot"]


class ReceptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Receptions at the collection centers. A supplier sees those it delivered, a center
    those at itself, the company side all; the company side and centers receive (a center
    only at itself) and the company side voids."""

    permission_classes = [ActionRoles]
    action_roles = {
        "list": EVERYONE,
        "retrieve": EVERYONE,
        "receipt": EVERYONE,
        "create": WITH_CENTERS,
        "void": COMPANY_SIDE,
    }
    serializer_class = ReceptionSerializer
    filterset_class = ReceptionFilter
    search_fields = ["number", "supplier__name", "lot__code"]
    ordering_fields = ["received_at", "net_weight_kg", "amount_usd"]

    def get_queryset(self):
        return selectors.reception_list(user=self.request.user)

    @extend_schema(request=ReceptionCreateSerializer, responses={201: ReceptionSerializer})
    def create(self, request):
        data = ReceptionCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        reception = services.reception_create(user=request.user, **data.validated_data)
        return Response(ReceptionSerializer(reception).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReceptionVoidSerializer, responses={200: ReceptionSerializer})
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        data = ReceptionVoidSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reception = services.reception_void(
            reception=self.get_object(), user=request.user, **data.validated_data
        )
        return Response(ReceptionSerializer(reception).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def receipt(self, request, pk=None):
        return receipt_response(self.get_object(), user=request.user)


def receipt_response(reception: Reception, *, user) -> HttpResponse:
    """The receipt in the user's saved language (a token's request carries no session, so the
    language middleware has not applied it yet)."""
    with translation.override(getattr(user, "language", "") or translation.get_language()):
        content = receipt_pdf(reception)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="recepcion-{reception.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


class PaidWeightView(APIView):
    """The paid weight (and amount, given a price) the reception form shows before saving."""

    permission_classes = [ActionRoles]
    action_roles = {"post": WITH_CENTERS}

    @extend_schema(request=PaidWeightInputSerializer, responses={200: PaidWeightSerializer})
    def post(self, request):
        data = PaidWeightInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(PaidWeightSerializer(paid_weight_preview(**data.validated_data)).data)


def paid_weight_preview(
    *, net_weight_kg, moisture_percent, impurities_percent, price_usd_per_qq=None
) -> dict:
    standard = services.reception_settings().standard_moisture_percent
    paid = paid_weight_breakdown(
        net_kg=net_weight_kg,
        moisture_percent=moisture_percent,
        impurities_percent=impurities_percent,
        standard_moisture_percent=standard,
    )
    amount = (
        None
        if price_usd_per_qq is None
        else amount_usd(paid_kg=paid.paid_kg, price_usd_per_qq=price_usd_per_qq)
    )
    return {
        "net_weight_kg": paid.net_kg,
        "standard_moisture_percent": standard,
        "moisture_discount_kg": paid.moisture_discount_kg,
        "impurities_discount_kg": paid.impurities_discount_kg,
        "paid_weight_kg": paid.paid_kg,
        "paid_weight_qq": kg_to_qq(paid.paid_kg),
        "amount_usd": amount,
    }
