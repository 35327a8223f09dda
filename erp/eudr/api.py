"""EUDR API under /api/v1/eudr/: plots with their geometry, evidence and verification, plot
imports (GeoJSON, CSV), the plots of origin of a reception, a lot's EUDR status."""

import django_filters
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from erp.access import COMPANY_SIDE, EVERYONE, WITH_CENTERS, ActionRoles, lots_visible_to
from erp.api import DecimalJSONParser
from erp.lots.models import Lot
from erp.partners.models import Partner
from erp.reception.selectors import reception_list
from triboka.uploads import stored_file_response

from . import selectors, services
from .geometry import geojson_dumps
from .models import EvidenceKind, Plot, PlotEvidence, PlotStatus


@extend_schema_field(OpenApiTypes.BINARY)
class UploadedFileField(serializers.FileField):
    pass


class EvidenceSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = PlotEvidence
        fields = ["id", "plot", "kind", "title", "issued_on", "original_name", "content_type", "sha256"]
        fields += ["retain_until", "uploaded_at", "file_url"]
        read_only_fields = fields

    def get_file_url(self, evidence) -> str:
        return reverse("eudr-evidence-file", kwargs={"pk": evidence.pk}, request=self.context.get("request"))


class EvidenceUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    title = serializers.CharField(max_length=160)
    issued_on = serializers.DateField(required=False, allow_null=True)
    file = UploadedFileField(allow_empty_file=True)  # an empty file is refused by the check


@extend_schema_field(OpenApiTypes.OBJECT)
class GeometryField(serializers.JSONField):
    """A GeoJSON geometry (Point, Polygon, MultiPolygon), WGS84, longitude first. Taken as
    parsed, numbers as Decimal (DRF's JSONField would re-encode them to check them); the
    service checks the geometry itself."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("A GeoJSON geometry object is expected."))
        return data


class PlotSerializer(serializers.ModelSerializer):
    supplier = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.none())
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    geometry = GeometryField()
    verified = serializers.BooleanField(source="is_verified", read_only=True)

    class Meta:
        model = Plot
        fields = [
            "id", "code", "supplier", "supplier_name", "name", "farmer_id", "area_ha", "geometry",
            "geometry_kind", "measured_area_ha", "centroid_lon", "centroid_lat", "geometry_warnings",
            "deforestation_free", "deforestation_declared_at", "status", "status_note", "status_changed_at",
            "verified", "retain_until", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "code", "geometry_kind", "measured_area_ha", "centroid_lon", "centroid_lat", "geometry_warnings",
            "deforestation_declared_at", "status", "status_note", "status_changed_at", "retain_until",
            "created_at", "updated_at",
        ]  # fmt: skip


class PlotStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=PlotStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PlotImportSerializer(serializers.Serializer):
    file = UploadedFileField(allow_empty_file=True)
    format = serializers.ChoiceField(choices=[("geojson", "GeoJSON"), ("csv", "CSV")], required=False)
    supplier = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.none(), required=False)

    def validate(self, data):
        if "format" not in data:
            name = (data["file"].name or "").lower()
            data["format"] = "csv" if name.endswith(".csv") else "geojson"
        return data


class PlotFilter(django_filters.FilterSet):
    supplier = django_filters.NumberFilter(field_name="supplier_id")
    verified = django_filters.BooleanFilter(method="_verified")

    class Meta:
        model = Plot
        fields = ["supplier", "status", "geometry_kind"]

    def _verified(self, queryset, name, value):
        verified = Plot.objects.verified()
        return queryset.filter(pk__in=verified) if value else queryset.exclude(pk__in=verified)


def plot_features(plots) -> dict:
    """A GeoJSON FeatureCollection of plots, the shape the EU information system takes."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": plot.geometry,
                "properties": {
                    "code": plot.code,
                    "name": plot.name,
                    "supplier": plot.supplier.name,
                    "area_ha": str(plot.area_ha),
                    "status": plot.status,
                    "deforestation_free": plot.deforestation_free,
                },
            }
            for plot in plots
        ],
    }


class PlotViewSet(viewsets.ModelViewSet):
    """Plots (fincas) of suppliers. Everyone reads those they may see (a supplier its own, a
    center those of the suppliers it received from) and records plots of those suppliers;
    the company side verifies, imports and deletes."""

    permission_classes = [ActionRoles]
    action_roles = {
        "list": EVERYONE,
        "retrieve": EVERYONE,
        "geojson": EVERYONE,
        "create": EVERYONE,
        "update": EVERYONE,
        "partial_update": EVERYONE,
        "destroy": COMPANY_SIDE,
        "set_status": COMPANY_SIDE,
        "evidence": EVERYONE,
        "upload_evidence": EVERYONE,
        "import_plots": COMPANY_SIDE,
    }
    serializer_class = PlotSerializer
    filterset_class = PlotFilter
    search_fields = ["code", "name", "farmer_id", "supplier__name"]
    ordering_fields = ["code", "name", "area_ha", "status", "created_at"]
    parser_classes = [DecimalJSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.plots_visible_to(self.request.user).select_related("supplier")

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        fields = getattr(serializer, "fields", {})
        if "supplier" in fields and not fields["supplier"].read_only:
            fields["supplier"].queryset = selectors.plot_suppliers_for(self.request.user)
        return serializer

    def perform_create(self, serializer):
        serializer.instance = services.plot_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "supplier" in data and data.pop("supplier") != serializer.instance.supplier:
            raise serializers.ValidationError({"supplier": [_("A plot stays with its supplier.")]})
        serializer.instance = services.plot_update(plot=serializer.instance, user=self.request.user, **data)

    def perform_destroy(self, instance):
        services.plot_delete(plot=instance, user=self.request.user)

    @extend_schema(request=None, responses={(200, "application/geo+json"): OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"])
    def geojson(self, request):
        """The plots listed (same filters) as a GeoJSON FeatureCollection, six decimals or more."""
        plots = self.filter_queryset(self.get_queryset())
        return HttpResponse(geojson_dumps(plot_features(plots)), content_type="application/geo+json")

    @extend_schema(request=PlotStatusSerializer, responses=PlotSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        body = PlotStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plot = services.plot_set_status(plot=self.get_object(), user=request.user, **body.validated_data)
        return Response(PlotSerializer(plot, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=EvidenceSerializer(many=True))
    @action(detail=True, methods=["get"])
    def evidence(self, request, pk=None):
        plot = self.get_object()
        return Response(EvidenceSerializer(plot.evidence.all(), many=True, context={"request": request}).data)

    @extend_schema(
        request={"multipart/form-data": EvidenceUploadSerializer}, responses={201: EvidenceSerializer}
    )
    @evidence.mapping.post
    def upload_evidence(self, request, pk=None):
        body = EvidenceUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        evidence = services.evidence_upload(
            plot=self.get_object(), user=request.user, uploaded_file=data.pop("file"), **data
        )
        return Response(EvidenceSerializer(evidence, context={"request": request}).data, status=201)

    @extend_schema(
        request={"multipart/form-data": PlotImportSerializer}, responses={201: PlotSerializer(many=True)}
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_plots(self, request):
        body = PlotImportSerializer(data=request.data)
        body.fields["supplier"].queryset = selectors.plot_suppliers_for(request.user)
        body.is_valid(raise_exception=True)
        plots = services.plots_import(
            user=request.user,
            data=body.validated_data["file"].read(services.IMPORT_MAX_BYTES + 1),
            file_format=body.validated_data["format"],
            supplier=body.validated_data.get("supplier"),
        )
        return Response(
            PlotSerializer(plots, many=True, context=self.get_serializer_context()).data, status=201
        )


class EvidenceViewSet(mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """An evidence file: downloaded by whoever sees its plot, deleted by the company side
    (not while a due diligence statement keeps it)."""

    permission_classes = [ActionRoles]
    action_roles = {"file": EVERYONE, "destroy": COMPANY_SIDE}
    serializer_class = EvidenceSerializer

    def get_queryset(self):
        return PlotEvidence.objects.filter(plot__in=selectors.plots_visible_to(self.request.user))

    def perform_destroy(self, instance):
        services.evidence_delete(evidence=instance, user=self.request.user)

    @extend_schema(request=None, responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def file(self, request, pk=None):
        evidence = self.get_object()
        return stored_file_response(
            evidence.file, name=evidence.original_name, content_type=evidence.content_type
        )


class ReceptionPlotsSerializer(serializers.Serializer):
    plots = serializers.PrimaryKeyRelatedField(queryset=Plot.objects.none(), many=True)


class ReceptionPlotsView(APIView):
    """The plots of origin of a reception: read by whoever sees the reception, set (PUT, the
    whole list) by the company side and the center that received it."""

    permission_classes = [ActionRoles]
    action_roles = {"get": EVERYONE, "put": WITH_CENTERS}
    serializer_class = ReceptionPlotsSerializer
    parser_classes = [DecimalJSONParser, FormParser, MultiPartParser]

    def _reception(self, request, pk):
        return get_object_or_404(reception_list(user=request.user), pk=pk)

    def _answer(self, reception):
        plots = reception.plots.select_related("supplier")
        return Response({"reception": reception.pk, "plots": PlotSerializer(plots, many=True).data})

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        return self._answer(self._reception(request, pk))

    @extend_schema(request=ReceptionPlotsSerializer, responses=OpenApiTypes.OBJECT)
    def put(self, request, pk: int):
        reception = self._reception(request, pk)
        body = ReceptionPlotsSerializer(data=request.data)
        body.fields["plots"].child_relation.queryset = selectors.plots_visible_to(request.user)
        body.is_valid(raise_exception=True)
        services.reception_plots_set(
            reception=reception, plots=body.validated_data["plots"], user=request.user
        )
        return self._answer(reception)


class LotEudrView(APIView):
    """A lot's EUDR status through its genealogy, with the plots behind it."""

    permission_classes = [ActionRoles]
    action_roles = {"get": EVERYONE}

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        lot = get_object_or_404(lots_visible_to(request.user, Lot.objects.all()), pk=pk)
        origin = selectors.lot_origin(lot=lot)
        return Response(
            {
                "lot": lot.pk,
                "code": lot.code,
                "status": origin.status,
                "receptions": origin.receptions,
                "receptions_without_plots": origin.receptions_without_plots,
                "plots": [
                    {
                        "id": plot.pk,
                        "code": plot.code,
                        "name": plot.name,
                        "status": plot.status,
                        "verified": plot.is_verified,
                    }
                    for plot in origin.plots
                ],  # fmt: skip
            },
            status=status.HTTP_200_OK,
        )
