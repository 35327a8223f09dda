"""The EUDR due diligence pack of a shipment under /api/v1/export/shipments/{id}/due-diligence/
(license module ``eudr``), and the statements recorded: the company side's."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from erp.access import COMPANY_SIDE, ActionRoles

from . import dds, selectors
from .models import DueDiligenceStatement


def _pack(request, pk: int) -> dds.DueDiligencePack:
    shipment = get_object_or_404(selectors.shipment_list(user=request.user), pk=pk)
    return dds.shipment_due_diligence(shipment=shipment)


def _download(content: bytes, *, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


class StatementSerializer(serializers.ModelSerializer):
    shipment_code = serializers.CharField(source="shipment.code", read_only=True)
    plots = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = DueDiligenceStatement
        fields = ["id", "reference", "shipment", "shipment_code", "sha256", "plots", "retain_until"]
        fields += ["created_at", "statement"]
        read_only_fields = fields


class DueDiligenceView(APIView):
    """GET: what the statement of the shipment will hold and what is still missing. POST:
    records the statement as it is handed over (400 listing what is missing)."""

    permission_classes = [ActionRoles]
    action_roles = {"get": COMPANY_SIDE, "post": COMPANY_SIDE}

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        pack = _pack(request, pk)
        return Response(
            {
                "shipment": pack.shipment.code,
                "ready": pack.ready,
                "problems": pack.problems,
                "hs_code": dds.HS_HEADING,
                "country_of_production": dds.COUNTRY_OF_PRODUCTION,
                "net_mass_kg": str(pack.net_mass_kg),
                "production_period": [day.isoformat() for day in pack.production_period or ()],
                "lots": [{"code": lot.code, "kg": str(kg)} for lot, kg in pack.loads],
                "receptions": [
                    {
                        "number": r.number,
                        "supplier": r.supplier.name,
                        "plots": [p.code for p in r.plots.all()],
                    }
                    for r in pack.receptions
                ],
                "plots": [
                    {"code": p.code, "name": p.name, "supplier": p.supplier.name, "verified": p.is_verified}
                    for p in pack.plots
                ],
                "statements": [s.reference for s in pack.shipment.statements.all()],
            }
        )

    @extend_schema(request=None, responses={201: StatementSerializer})
    def post(self, request, pk: int):
        shipment = get_object_or_404(selectors.shipment_list(user=request.user), pk=pk)
        record = dds.statement_record(shipment=shipment, user=request.user)
        return Response(StatementSerializer(record).data, status=201)


class DueDiligenceFileView(APIView):
    """The pack as a file: the plots' GeoJSON, the statement JSON (only when nothing is
    missing), or the PDF summary."""

    permission_classes = [ActionRoles]
    action_roles = {"get": COMPANY_SIDE}
    kind = "geojson"

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        pack = _pack(request, pk)
        code = pack.shipment.code
        if self.kind == "geojson":
            return _download(
                dds.pack_geojson(pack), name=f"{code}-plots.geojson", content_type="application/geo+json"
            )
        if self.kind == "pdf":
            return _download(
                dds.pack_pdf(pack), name=f"{code}-due-diligence.pdf", content_type="application/pdf"
            )
        if not pack.ready:
            raise ValidationError({"shipment": pack.problems})
        body = dds.geojson_dumps(dds.pack_statement(pack))
        return _download(body, name=f"{code}-statement.json", content_type="application/json")


class StatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Due diligence statements recorded, unchanged, kept five years."""

    permission_classes = [ActionRoles]
    action_roles = {"list": COMPANY_SIDE, "retrieve": COMPANY_SIDE, "geojson": COMPANY_SIDE}
    serializer_class = StatementSerializer

    def get_queryset(self):
        shipments = selectors.shipment_list(user=self.request.user)
        return DueDiligenceStatement.objects.filter(shipment__in=shipments).select_related("shipment")

    @extend_schema(responses={(200, "application/geo+json"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def geojson(self, request, pk=None):
        record = self.get_object()
        return _download(
            record.geojson.encode(), name=f"{record.reference}.geojson", content_type="application/geo+json"
        )
