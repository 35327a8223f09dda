"""Sales and export under /api/v1/export/: sales contracts (status, price fixing), shipments
(status, checklist, invoice, packing list, quality certificate), their containers, the lots
loaded into them and the documents uploaded. All of it is the company side's (admin,
exporter); centers and suppliers are refused (403) everywhere."""

from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from erp.access import COMPANY_SIDE, ActionRoles, EveryAction
from erp.contracts.models import Contract
from erp.inventory.models import Warehouse
from erp.lots.models import Lot
from erp.partners.models import Partner
from erp.units import kg_to_qq, tm_to_kg
from triboka.uploads import stored_file_response

from . import documents_pdf, selectors, services
from .checklist import shipment_checklist
from .models import (
    Container,
    ContainerLot,
    SalesContract,
    SalesStatus,
    Shipment,
    ShipmentDocument,
    ShipmentDocumentKind,
    ShipmentStatus,
)

KG = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
QQ = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
TM = serializers.DecimalField(max_digits=14, decimal_places=3, read_only=True)


@extend_schema_field(OpenApiTypes.BINARY)
class UploadedFileField(serializers.FileField):
    pass


class WeightMixin:
    """``net_kg``, ``net_qq``, ``net_tm`` and ``sacks`` from ``weight(obj)``."""

    def weight(self, obj) -> selectors.Weight:
        raise NotImplementedError

    @extend_schema_field(KG)
    def get_net_kg(self, obj) -> str:
        return KG.to_representation(self.weight(obj).kg)

    @extend_schema_field(QQ)
    def get_net_qq(self, obj) -> str:
        return QQ.to_representation(self.weight(obj).qq)

    @extend_schema_field(TM)
    def get_net_tm(self, obj) -> str:
        return TM.to_representation(self.weight(obj).tm)

    def get_sacks(self, obj) -> int:
        return self.weight(obj).sacks


# --- Sales contracts -------------------------------------------------------------------


class SalesContractSerializer(serializers.ModelSerializer):
    buyer = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    exporter = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    buyer_name = serializers.CharField(source="buyer.name", read_only=True)
    exporter_name = serializers.CharField(source="exporter.name", read_only=True)
    purchase_contracts = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Contract.objects.all(), required=False
    )
    quantity_qq = serializers.SerializerMethodField()
    sale_price_usd_per_tm = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    loaded_kg = serializers.SerializerMethodField()
    loaded_qq = serializers.SerializerMethodField()
    loaded_tm = serializers.SerializerMethodField()
    allowed_statuses = serializers.SerializerMethodField()

    class Meta:
        model = SalesContract
        fields = [
            "id",
            "code",
            "buyer",
            "buyer_name",
            "exporter",
            "exporter_name",
            "buyer_reference",
            "incoterm",
            "variety",
            "quantity_tm",
            "quantity_qq",
            "price_type",
            "price_usd_per_tm",
            "differential_usd_per_tm",
            "fixed_price_usd_per_tm",
            "fixed_on",
            "sale_price_usd_per_tm",
            "quality_terms",
            "shipment_from",
            "shipment_to",
            "destination_port",
            "destination_country",
            "purchase_contracts",
            "loaded_kg",
            "loaded_qq",
            "loaded_tm",
            "status",
            "allowed_statuses",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "code",
            "fixed_price_usd_per_tm",
            "fixed_on",
            "status",
            "created_at",
            "updated_at",
        ]

    def _loaded(self, contract) -> selectors.Weight:
        kg = getattr(contract, "loaded_kg", None)
        return selectors.Weight(kg=selectors.contract_shipped_kg(contract) if kg is None else kg)

    @extend_schema_field(QQ)
    def get_quantity_qq(self, contract) -> str:
        return QQ.to_representation(kg_to_qq(tm_to_kg(contract.quantity_tm)))

    @extend_schema_field(KG)
    def get_loaded_kg(self, contract) -> str:
        return KG.to_representation(self._loaded(contract).kg)

    @extend_schema_field(QQ)
    def get_loaded_qq(self, contract) -> str:
        return QQ.to_representation(self._loaded(contract).qq)

    @extend_schema_field(TM)
    def get_loaded_tm(self, contract) -> str:
        return TM.to_representation(self._loaded(contract).tm)

    def get_allowed_statuses(self, contract) -> list[str]:
        return sorted(services.SALES_TRANSITIONS[SalesStatus(contract.status)])


class SalesStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=SalesStatus.choices)


class FixPriceSerializer(serializers.Serializer):
    futures_usd_per_tm = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    fixed_on = serializers.DateField(required=False)


class CompanySideViewSet(viewsets.GenericViewSet):
    """Every action of the module is the company side's."""

    permission_classes = [ActionRoles]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    action_roles = EveryAction(COMPANY_SIDE)


class SalesContractViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    CompanySideViewSet,
):
    """Sales to buyers abroad, with the kilograms their shipments hold."""

    serializer_class = SalesContractSerializer
    filterset_fields = ["status", "buyer", "exporter", "variety", "price_type"]
    search_fields = ["code", "buyer__name", "buyer_reference"]
    ordering_fields = ["created_at", "code", "shipment_from", "quantity_tm"]

    def get_queryset(self):
        return selectors.sales_contract_list(user=self.request.user)

    def _fresh(self, contract: SalesContract) -> SalesContract:
        return self.get_queryset().get(pk=contract.pk)

    def perform_create(self, serializer):
        contract = services.sales_contract_create(user=self.request.user, **serializer.validated_data)
        serializer.instance = self._fresh(contract)

    def perform_update(self, serializer):
        contract = services.sales_contract_update(
            sales_contract=serializer.instance, user=self.request.user, **serializer.validated_data
        )
        serializer.instance = self._fresh(contract)

    def perform_destroy(self, instance):
        services.sales_contract_delete(sales_contract=instance, user=self.request.user)

    @extend_schema(request=SalesStatusSerializer, responses=SalesContractSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        data = SalesStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = services.sales_contract_set_status(
            sales_contract=self.get_object(), status=data.validated_data["status"], user=request.user
        )
        return Response(self.get_serializer(self._fresh(contract)).data)

    @extend_schema(request=FixPriceSerializer, responses=SalesContractSerializer)
    @action(detail=True, methods=["post"], url_path="fix-price")
    def fix_price(self, request, pk=None):
        data = FixPriceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = services.sales_contract_fix_price(
            sales_contract=self.get_object(), user=request.user, **data.validated_data
        )
        return Response(self.get_serializer(self._fresh(contract)).data)


# --- Shipments -------------------------------------------------------------------------


class ShipmentSerializer(WeightMixin, serializers.ModelSerializer):
    sales_contract = serializers.PrimaryKeyRelatedField(queryset=SalesContract.objects.all())
    sales_contract_code = serializers.CharField(source="sales_contract.code", read_only=True)
    buyer_name = serializers.CharField(source="sales_contract.buyer.name", read_only=True)
    net_kg = serializers.SerializerMethodField()
    net_qq = serializers.SerializerMethodField()
    net_tm = serializers.SerializerMethodField()
    sacks = serializers.SerializerMethodField()
    container_count = serializers.SerializerMethodField()
    allowed_statuses = serializers.SerializerMethodField()

    class Meta:
        model = Shipment
        fields = [
            "id",
            "code",
            "sales_contract",
            "sales_contract_code",
            "buyer_name",
            *services.SHIPMENT_FIELDS,
            "invoice_number",
            "container_count",
            "net_kg",
            "net_qq",
            "net_tm",
            "sacks",
            "status",
            "allowed_statuses",
            "status_changed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "code",
            "invoice_number",
            "status",
            "status_changed_at",
            "created_at",
            "updated_at",
        ]

    def weight(self, shipment) -> selectors.Weight:
        return selectors.shipment_weight(shipment)

    def get_container_count(self, shipment) -> int:
        count = getattr(shipment, "container_count", None)
        return shipment.containers.count() if count is None else count

    def get_allowed_statuses(self, shipment) -> list[str]:
        return sorted(services.SHIPMENT_TRANSITIONS[ShipmentStatus(shipment.status)])


class ShipmentStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ShipmentStatus.choices)


class ChecklistItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    done = serializers.BooleanField()
    detail = serializers.CharField()
    warning = serializers.BooleanField()


class LoadSerializer(serializers.ModelSerializer):
    container_number = serializers.CharField(source="container.number", read_only=True)
    lot_code = serializers.CharField(source="lot.code", read_only=True)
    warehouse = serializers.IntegerField(source="movement.from_warehouse_id", read_only=True)
    warehouse_name = serializers.CharField(source="movement.from_warehouse.name", read_only=True)
    qq = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    tm = serializers.DecimalField(max_digits=14, decimal_places=3, read_only=True)

    class Meta:
        model = ContainerLot
        fields = [
            "id",
            "container",
            "container_number",
            "lot",
            "lot_code",
            "warehouse",
            "warehouse_name",
            "kg",
            "qq",
            "tm",
            "sacks",
            "movement",
            "loaded_at",
        ]
        read_only_fields = fields


class LoadCreateSerializer(serializers.Serializer):
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.all())
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    kg = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    sacks = serializers.IntegerField(min_value=0, max_value=100000, required=False, default=0)


class ContainerSerializer(WeightMixin, serializers.ModelSerializer):
    number = serializers.CharField(max_length=20)
    shipment_code = serializers.CharField(source="shipment.code", read_only=True)
    net_kg = serializers.SerializerMethodField()
    net_qq = serializers.SerializerMethodField()
    net_tm = serializers.SerializerMethodField()
    sacks = serializers.SerializerMethodField()
    loads = LoadSerializer(many=True, read_only=True)

    class Meta:
        model = Container
        fields = [
            "id",
            "shipment",
            "shipment_code",
            "number",
            "seal_number",
            "size",
            "net_kg",
            "net_qq",
            "net_tm",
            "sacks",
            "loads",
        ]
        read_only_fields = ["shipment"]

    def weight(self, container) -> selectors.Weight:
        return selectors.container_weight(container)


class ShipmentDocumentSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = ShipmentDocument
        fields = [
            "id",
            "shipment",
            "kind",
            "number",
            "issued_on",
            "original_name",
            "content_type",
            "sha256",
            "uploaded_at",
            "file_url",
        ]
        read_only_fields = fields

    def get_file_url(self, document) -> str:
        return reverse(
            "export-document-file", kwargs={"pk": document.pk}, request=self.context.get("request")
        )


class ShipmentDocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ShipmentDocumentKind.choices)
    number = serializers.CharField(max_length=60)
    issued_on = serializers.DateField(required=False, allow_null=True)
    file = UploadedFileField(allow_empty_file=True)  # an empty file is refused by the service


class ShipmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    CompanySideViewSet,
):
    """Shipments of sales contracts, with their net weight and sacks, containers and documents."""

    serializer_class = ShipmentSerializer
    filterset_fields = ["status", "sales_contract", "port_of_loading"]
    search_fields = ["code", "booking_number", "bill_of_lading", "vessel", "sales_contract__code"]
    ordering_fields = ["created_at", "etd", "eta", "code"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.shipment_list(user=self.request.user)

    def _fresh(self, shipment: Shipment) -> Shipment:
        return self.get_queryset().get(pk=shipment.pk)

    def perform_create(self, serializer):
        shipment = services.shipment_create(user=self.request.user, **serializer.validated_data)
        serializer.instance = self._fresh(shipment)

    def perform_update(self, serializer):
        changes = dict(serializer.validated_data)
        if changes.get("sales_contract") == serializer.instance.sales_contract:
            changes.pop("sales_contract")
        shipment = services.shipment_update(shipment=serializer.instance, user=self.request.user, **changes)
        serializer.instance = self._fresh(shipment)

    def perform_destroy(self, instance):
        services.shipment_delete(shipment=instance, user=self.request.user)

    @extend_schema(request=ShipmentStatusSerializer, responses=ShipmentSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        data = ShipmentStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shipment = services.shipment_set_status(
            shipment=self.get_object(), status=data.validated_data["status"], user=request.user
        )
        return Response(self.get_serializer(self._fresh(shipment)).data)

    @extend_schema(responses=ChecklistItemSerializer(many=True))
    @action(detail=True, methods=["get"])
    def checklist(self, request, pk=None):
        items = shipment_checklist(shipment=self.get_object())
        return Response(ChecklistItemSerializer(items, many=True).data)

    @extend_schema(responses=ContainerSerializer(many=True))
    @action(detail=True, methods=["get"])
    def containers(self, request, pk=None):
        containers = selectors.shipment_containers(self.get_object())
        return Response(ContainerSerializer(containers, many=True).data)

    @extend_schema(request=ContainerSerializer, responses={201: ContainerSerializer})
    @containers.mapping.post
    def add_container(self, request, pk=None):
        data = ContainerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        container = services.container_add(
            shipment=self.get_object(), user=request.user, **data.validated_data
        )
        return Response(ContainerSerializer(container).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ShipmentDocumentSerializer(many=True))
    @action(detail=True, methods=["get"])
    def documents(self, request, pk=None):
        documents = self.get_object().documents.all()
        return Response(ShipmentDocumentSerializer(documents, many=True, context={"request": request}).data)

    @extend_schema(
        request={"multipart/form-data": ShipmentDocumentUploadSerializer},
        responses={201: ShipmentDocumentSerializer},
    )
    @documents.mapping.post
    def upload_document(self, request, pk=None):
        data = ShipmentDocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        document = services.shipment_document_upload(
            shipment=self.get_object(), uploaded_file=values.pop("file"), user=request.user, **values
        )
        return Response(
            ShipmentDocumentSerializer(document, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


LANGUAGE = OpenApiParameter(
    "lang",
    str,
    enum=[code for code, _name in settings.LANGUAGES],
    description="The document's language (default: the user's).",
)


def request_language(request) -> str:
    """``?lang=`` when asked for, else the user's saved language (a token's request carries
    no session, so the language middleware has not applied it), else the active one."""
    asked = request.query_params.get("lang", "")
    if asked in dict(settings.LANGUAGES):
        return asked
    return getattr(request.user, "language", "") or translation.get_language()


class ShipmentPdfView(APIView):
    """A document made from the shipment's data: ``invoice`` (its number given on the first
    request), ``packing-list`` or ``quality-certificate``."""

    permission_classes = [ActionRoles]
    action_roles = {"get": COMPANY_SIDE}
    document = ""

    @extend_schema(parameters=[LANGUAGE], responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        shipment = get_object_or_404(selectors.shipment_list(user=request.user), pk=pk)
        with translation.override(request_language(request)):
            content = self._content(shipment, request.user)
        response = HttpResponse(content, content_type="application/pdf")
        name = shipment.invoice_number if self.document == "invoice" else shipment.code
        response["Content-Disposition"] = f'inline; filename="{self.document}-{name}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response

    def _content(self, shipment: Shipment, user) -> bytes:
        if self.document == "invoice":
            invoice = documents_pdf.invoice_data(shipment)  # refused (409) before a number is spent
            shipment.invoice_number = services.shipment_invoice_number(
                shipment=shipment, user=user
            ).invoice_number
            return documents_pdf.invoice_pdf(shipment, invoice)
        if self.document == "packing-list":
            return documents_pdf.packing_list_pdf(shipment)
        return documents_pdf.quality_certificate_pdf(shipment)


# --- Containers, loads, documents --------------------------------------------------------


class ContainerViewSet(
    mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, CompanySideViewSet
):
    """A container: its seal and size changed, removed while empty, lots loaded into it."""

    serializer_class = ContainerSerializer

    def get_queryset(self):
        return selectors.container_list(user=self.request.user)

    def perform_update(self, serializer):
        container = services.container_update(
            container=serializer.instance, user=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=container.pk)

    def perform_destroy(self, instance):
        services.container_remove(container=instance, user=self.request.user)

    @extend_schema(request=LoadCreateSerializer, responses={201: LoadSerializer})
    @action(detail=True, methods=["post"], url_path="loads")
    def load(self, request, pk=None):
        data = LoadCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        load = services.container_load(container=self.get_object(), user=request.user, **data.validated_data)
        return Response(LoadSerializer(load).data, status=status.HTTP_201_CREATED)


class LoadViewSet(mixins.RetrieveModelMixin, mixins.DestroyModelMixin, CompanySideViewSet):
    """A lot in a container; deleting it unloads it (the kilograms go back to the warehouse)."""

    serializer_class = LoadSerializer

    def get_queryset(self):
        return selectors.load_list(user=self.request.user)

    def perform_destroy(self, instance):
        services.container_unload(load=instance, user=self.request.user)


class ShipmentDocumentViewSet(mixins.RetrieveModelMixin, mixins.DestroyModelMixin, CompanySideViewSet):
    serializer_class = ShipmentDocumentSerializer

    def get_queryset(self):
        return selectors.document_list(user=self.request.user)

    def perform_destroy(self, instance):
        services.shipment_document_delete(document=instance, user=self.request.user)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def file(self, request, pk=None):
        document = self.get_object()
        return stored_file_response(
            document.file, name=document.original_name, content_type=document.content_type
        )
