"""Processing (/api/v1/processing/): fermentation batches with their turns, drying runs with
their moisture readings, each with its weight in and out and yield, and per lot the measured
wet-to-dry conversion factor."""

from decimal import Decimal

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from erp.access import EVERYONE, WITH_CENTERS, ActionRoles
from erp.lots.models import Lot
from erp.units import kg_to_qq

from . import selectors, services
from .models import DryingMethod, DryingReading, DryingRun, FermentationBatch, FermentationTurn

WEIGHT = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.01")}
PERCENT = {"max_digits": 5, "decimal_places": 2, "min_value": Decimal("0"), "max_value": Decimal("100")}
TEMPERATURE = {"max_digits": 5, "decimal_places": 2, "min_value": Decimal("-10"), "max_value": Decimal("80")}
OUT = {"max_digits": 12, "decimal_places": 2, "read_only": True}


class ProcessingQuintalField(serializers.DecimalField):
    """A kg field shown in quintales too."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=2, read_only=True, **kwargs)

    def to_representation(self, value):
        return None if value is None else super().to_representation(kg_to_qq(value))


class ProcessingStepSerializer(serializers.ModelSerializer):
    lot_code = serializers.CharField(source="lot.code", read_only=True)
    weight_in_qq = ProcessingQuintalField(source="weight_in_kg")
    weight_out_qq = ProcessingQuintalField(source="weight_out_kg", allow_null=True)
    yield_percent = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True, allow_null=True)
    days = serializers.DecimalField(max_digits=7, decimal_places=1, read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    STEP_FIELDS = [
        "id", "lot", "lot_code", "started_at", "ended_at", "days", "is_open", "weight_in_kg", "weight_in_qq",
        "weight_out_kg", "weight_out_qq", "yield_percent", "notes",
    ]  # fmt: skip


class FermentationTurnSerializer(serializers.ModelSerializer):
    class Meta:
        model = FermentationTurn
        fields = ["id", "at", "temperature_c", "notes"]


class FermentationSerializer(ProcessingStepSerializer):
    turns = FermentationTurnSerializer(many=True, read_only=True)
    outside_typical_days = serializers.BooleanField(read_only=True)

    class Meta:
        model = FermentationBatch
        fields = [*ProcessingStepSerializer.STEP_FIELDS, "box", "outside_typical_days", "turns"]
        read_only_fields = fields


class DryingReadingSerializer(serializers.ModelSerializer):
    class Meta:
        model = DryingReading
        fields = ["id", "at", "moisture_percent", "temperature_c"]


class DryingSerializer(ProcessingStepSerializer):
    readings = DryingReadingSerializer(many=True, read_only=True)

    class Meta:
        model = DryingRun
        fields = [
            *ProcessingStepSerializer.STEP_FIELDS,
            "method",
            "target_moisture_percent",
            "ended_above_target",
            "readings",
        ]
        read_only_fields = fields


class ProcessingStartSerializer(serializers.Serializer):
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.all())
    weight_in_kg = serializers.DecimalField(**WEIGHT, required=False, help_text="Default: the lot's weight.")
    started_at = serializers.DateTimeField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class FermentationStartSerializer(ProcessingStartSerializer):
    box = serializers.CharField(max_length=60)


class DryingStartSerializer(ProcessingStartSerializer):
    method = serializers.ChoiceField(choices=DryingMethod.choices, default=DryingMethod.SUN)
    target_moisture_percent = serializers.DecimalField(
        **PERCENT, required=False, help_text="Default: the company's standard moisture (7 %)."
    )


class FermentationTurnInputSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    temperature_c = serializers.DecimalField(**TEMPERATURE)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class DryingReadingInputSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    moisture_percent = serializers.DecimalField(**PERCENT)
    temperature_c = serializers.DecimalField(**TEMPERATURE, required=False, allow_null=True)


class FermentationFinishSerializer(serializers.Serializer):
    weight_out_kg = serializers.DecimalField(**WEIGHT)
    ended_at = serializers.DateTimeField(required=False)


class DryingFinishSerializer(FermentationFinishSerializer):
    moisture_percent = serializers.DecimalField(
        **PERCENT, required=False, help_text="A last reading at the end."
    )
    confirm_above_target = serializers.BooleanField(required=False, default=False)


class StepFilter(django_filters.FilterSet):
    open = django_filters.BooleanFilter(field_name="ended_at", lookup_expr="isnull", label="open")


class FermentationFilter(StepFilter):
    class Meta:
        model = FermentationBatch
        fields = ["lot", "open"]


class DryingFilter(StepFilter):
    class Meta:
        model = DryingRun
        fields = ["lot", "method", "open"]


def _visible_lot(request, lot: Lot) -> Lot:
    """A lot that exists but is not the user's answers 404, as its own URL would."""
    return get_object_or_404(selectors.visible_lots(request.user), pk=lot.pk)


ROLES = {"list": EVERYONE, "retrieve": EVERYONE, "create": WITH_CENTERS, "finish": WITH_CENTERS}


class FermentationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Fermentation batches. Everyone sees those of the lots they may see; the company side and
    centers start them, add turns and finish them, on those lots."""

    permission_classes = [ActionRoles]
    action_roles = {**ROLES, "turns": WITH_CENTERS}
    serializer_class = FermentationSerializer
    filterset_class = FermentationFilter
    search_fields = ["lot__code", "box"]
    ordering_fields = ["started_at", "ended_at"]

    def get_queryset(self):
        return selectors.fermentation_list(user=self.request.user)

    @extend_schema(request=FermentationStartSerializer, responses={201: FermentationSerializer})
    def create(self, request):
        data = FermentationStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {**data.validated_data, "lot": _visible_lot(request, data.validated_data["lot"])}
        batch = services.fermentation_start(user=request.user, **fields)
        return Response(self._out(batch), status=status.HTTP_201_CREATED)

    @extend_schema(request=FermentationTurnInputSerializer, responses={201: FermentationSerializer})
    @action(detail=True, methods=["post"])
    def turns(self, request, pk=None):
        data = FermentationTurnInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        turn = services.fermentation_turn_add(
            batch=self.get_object(), user=request.user, **data.validated_data
        )
        return Response(self._out(turn.batch), status=status.HTTP_201_CREATED)

    @extend_schema(request=FermentationFinishSerializer, responses={200: FermentationSerializer})
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        data = FermentationFinishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = services.fermentation_finish(
            batch=self.get_object(), user=request.user, **data.validated_data
        )
        return Response(self._out(batch))

    def _out(self, batch):
        return FermentationSerializer(self.get_queryset().get(pk=batch.pk)).data


class DryingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Drying runs with their moisture readings; roles as for fermentation. Finishing a run
    wetter than its target needs ``confirm_above_target``."""

    permission_classes = [ActionRoles]
    action_roles = {**ROLES, "readings": WITH_CENTERS}
    serializer_class = DryingSerializer
    filterset_class = DryingFilter
    search_fields = ["lot__code"]
    ordering_fields = ["started_at", "ended_at"]

    def get_queryset(self):
        return selectors.drying_list(user=self.request.user)

    @extend_schema(request=DryingStartSerializer, responses={201: DryingSerializer})
    def create(self, request):
        data = DryingStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {**data.validated_data, "lot": _visible_lot(request, data.validated_data["lot"])}
        run = services.drying_start(user=request.user, **fields)
        return Response(self._out(run), status=status.HTTP_201_CREATED)

    @extend_schema(request=DryingReadingInputSerializer, responses={201: DryingSerializer})
    @action(detail=True, methods=["post"])
    def readings(self, request, pk=None):
        data = DryingReadingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reading = services.drying_reading_add(run=self.get_object(), user=request.user, **data.validated_data)
        return Response(self._out(reading.run), status=status.HTTP_201_CREATED)

    @extend_schema(request=DryingFinishSerializer, responses={200: DryingSerializer})
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        data = DryingFinishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.drying_finish(run=self.get_object(), user=request.user, **data.validated_data)
        return Response(self._out(run))

    def _out(self, run):
        return DryingSerializer(self.get_queryset().get(pk=run.pk)).data


class LotProcessingSerializer(serializers.Serializer):
    lot = serializers.IntegerField(source="lot.pk")
    lot_code = serializers.CharField(source="lot.code")
    wet_in_kg = serializers.DecimalField(**OUT, allow_null=True)
    wet_in_qq = ProcessingQuintalField(source="wet_in_kg", allow_null=True)
    dry_out_kg = serializers.DecimalField(**OUT, allow_null=True)
    dry_out_qq = ProcessingQuintalField(source="dry_out_kg", allow_null=True)
    conversion_factor_percent = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    fermentations = FermentationSerializer(many=True)
    dryings = DryingSerializer(many=True)


class LotProcessingView(APIView):
    """A lot's processing: its steps and the measured wet-to-dry conversion factor (dry weight
    out of the last finished drying over the weight into the first step, in %)."""

    permission_classes = [ActionRoles]
    action_roles = {"get": EVERYONE}

    @extend_schema(responses={200: LotProcessingSerializer})
    def get(self, request, lot_id: int):
        lot = get_object_or_404(selectors.visible_lots(request.user), pk=lot_id)
        return Response(LotProcessingSerializer(selectors.lot_processing(lot)).data)
