"""The IoT API under /api/v1/iot/: devices (company admin), readings (sent by devices with
their key, read by users within their scope), CSV imports; and the seed's aliases
``POST /iot/pesaje`` and ``POST /iot/siemens/csv``."""

import django_filters
from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from erp.access import ADMIN, EVERYONE, WITH_CENTERS, ActionRoles
from erp.lots.models import Lot
from erp.partners.models import Partner, PartnerKind
from erp.units import kg_to_qq
from triboka.accounts.authentication import CompanyJWTAuthentication

from . import selectors, services
from .authentication import DeviceKeyAuthentication, IsDevice
from .models import Device, ImportStatus, Reading, ReadingImport, Transport


class DeviceKeyScheme(OpenApiAuthenticationExtension):
    target_class = "iot.authentication.DeviceKeyAuthentication"
    name = "deviceKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": _("«Device <key>»: the key shown once when the device was registered."),
        }


# --- devices ---------------------------------------------------------------------------


class IotDeviceSerializer(serializers.ModelSerializer):
    location = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.filter(kind=PartnerKind.CENTER), required=False, allow_null=True
    )
    location_name = serializers.CharField(source="location.name", read_only=True, default=None)
    has_key = serializers.BooleanField(read_only=True)
    last_reading_at = serializers.DateTimeField(read_only=True, default=None)
    readings_today = serializers.IntegerField(read_only=True, default=None)
    errors_today = serializers.SerializerMethodField()

    class Meta:
        model = Device
        fields = [
            "id",
            *services.DEVICE_FIELDS,
            "location_name",
            "is_active",
            "last_seen_at",
            "has_key",
            "key_created_at",
            "last_reading_at",
            "readings_today",
            "errors_today",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_active", "last_seen_at", "key_created_at", "created_at", "updated_at"]
        validators = []  # uniqueness is the service's (full_clean), as a field error

    def get_errors_today(self, device) -> int | None:
        counts = self.context.get("errors_today")
        return None if counts is None else counts.get(device.pk, 0)


class IotDeviceCreatedSerializer(IotDeviceSerializer):
    key = serializers.CharField(read_only=True, help_text=_("Shown once; keep it in the device."))

    class Meta(IotDeviceSerializer.Meta):
        fields = [*IotDeviceSerializer.Meta.fields, "key"]


class IotDeviceKeySerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)


class DeviceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Scales, moisture meters and PLCs of the company, with their health (last reading,
    readings and errors today). The company admin registers, edits, deactivates them and
    rotates or revokes their keys; a collection center sees the devices that stand at it."""

    permission_classes = [ActionRoles]
    action_roles = {
        "list": WITH_CENTERS,
        "retrieve": WITH_CENTERS,
        "create": ADMIN,
        "update": ADMIN,
        "partial_update": ADMIN,
        "deactivate": ADMIN,
        "activate": ADMIN,
        "rotate_key": ADMIN,
        "revoke_key": ADMIN,
    }
    serializer_class = IotDeviceSerializer
    filterset_fields = ["kind", "transport", "location", "is_active"]
    search_fields = ["name", "serial_number"]
    ordering_fields = ["name", "last_seen_at", "created_at"]

    def get_queryset(self):
        return selectors.devices_with_health(selectors.devices_visible_to(self.request.user)).order_by(
            "name", "id"
        )

    def get_serializer(self, instance=None, *args, **kwargs):
        """Lists and details also say each device's errors today, counted in one query."""
        if self.action in ("list", "retrieve") and instance is not None:
            devices = instance if kwargs.get("many") else [instance]
            kwargs["context"] = {
                **self.get_serializer_context(),
                "errors_today": selectors.device_errors_today([device.pk for device in devices]),
            }
            return self.get_serializer_class()(instance, *args, **kwargs)
        return super().get_serializer(instance, *args, **kwargs)

    @extend_schema(request=IotDeviceSerializer, responses={201: IotDeviceCreatedSerializer})
    def create(self, request):
        serializer = IotDeviceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device, key = services.device_register(user=request.user, **serializer.validated_data)
        device.key = key
        return Response(IotDeviceCreatedSerializer(device).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        device = self.get_object()
        serializer = IotDeviceSerializer(device, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        services.device_update(device=device, **serializer.validated_data)
        return Response(IotDeviceSerializer(self.get_object(), context=self.get_serializer_context()).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)

    @extend_schema(request=None, responses=IotDeviceSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        services.device_set_active(device=self.get_object(), active=False)
        return Response(IotDeviceSerializer(self.get_object()).data)

    @extend_schema(request=None, responses=IotDeviceSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        services.device_set_active(device=self.get_object(), active=True)
        return Response(IotDeviceSerializer(self.get_object()).data)

    @extend_schema(request=None, responses=IotDeviceKeySerializer)
    @action(detail=True, methods=["post"], url_path="rotate-key")
    def rotate_key(self, request, pk=None):
        """A new key, shown once; the old one stops working at once."""
        return Response({"key": services.device_key_rotate(device=self.get_object())})

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"], url_path="revoke-key")
    def revoke_key(self, request, pk=None):
        services.device_key_revoke(device=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- readings ----------------------------------------------------------------------------


class ReadingSerializer(serializers.ModelSerializer):
    device_name = serializers.CharField(source="device.name", read_only=True)
    lot_code = serializers.CharField(source="lot.code", read_only=True, default=None)
    net_qq = serializers.SerializerMethodField()

    class Meta:
        model = Reading
        fields = [
            "id",
            "device",
            "device_name",
            "lot",
            "lot_code",
            "key",
            "gross_kg",
            "tare_kg",
            "net_kg",
            "net_qq",
            "moisture_percent",
            "temperature_c",
            "measured_at",
            "received_at",
            "origin",
            "raw",
            "assigned_at",
        ]
        read_only_fields = fields

    def get_net_qq(self, reading) -> str | None:
        return None if reading.net_kg is None else str(kg_to_qq(reading.net_kg))


@extend_schema_field(OpenApiTypes.STR)
class LooseNumberField(serializers.CharField):
    """Documents a number sent as JSON number or as text with a decimal comma or point."""


class ReadingInSerializer(serializers.Serializer):
    """A reading as a device sends it (documentation of the request; the service validates)."""

    id = serializers.CharField(required=False, help_text=_("The device's message id (idempotency key)."))
    measured_at = serializers.DateTimeField(required=False, help_text=_("Device clock; default: now."))
    lot = serializers.CharField(required=False, help_text=_("Lot id or code (optional)."))
    gross_kg = LooseNumberField(required=False)
    tare_kg = LooseNumberField(required=False)
    net_kg = LooseNumberField(required=False, help_text=_("Net = gross - tare when not sent."))
    moisture_percent = LooseNumberField(required=False)
    temperature_c = LooseNumberField(required=False)


class IngestReportSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    added = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    readings = serializers.ListField(child=serializers.IntegerField())


class AssignSerializer(serializers.Serializer):
    lot = serializers.CharField(allow_null=True, help_text=_("Lot id or code; null clears it."))


class ReadingFilter(django_filters.FilterSet):
    measured_after = django_filters.IsoDateTimeFilter(field_name="measured_at", lookup_expr="gte")
    measured_before = django_filters.IsoDateTimeFilter(field_name="measured_at", lookup_expr="lte")
    unassigned = django_filters.BooleanFilter(field_name="lot", lookup_expr="isnull")
    lot_code = django_filters.CharFilter(field_name="lot__code", lookup_expr="iexact")

    class Meta:
        model = Reading
        fields = ["device", "lot", "origin"]


def request_items(data) -> tuple[list, bool]:
    """(readings, sent as one) from a body that is one reading, a list, or {"readings": [...]}."""
    if isinstance(data, QueryDict):
        data = data.dict()
    if isinstance(data, dict) and "readings" in data:
        return data["readings"] if isinstance(data["readings"], list) else [data["readings"]], False
    if isinstance(data, list):
        return data, False
    return [data], True


def ingest_response(request, items: list, single: bool) -> Response:
    """Store what a device sent over REST: 201 with what was added, 200 when a single
    reading was already stored (sent again), 400 with field errors and nothing stored."""
    device = request.auth
    if not items:
        raise serializers.ValidationError({"readings": [_("Send a reading or a list of readings.")]})
    if len(items) > services.MAX_BATCH:
        raise serializers.ValidationError(
            {"readings": [_("At most %(max)d readings a request.") % {"max": services.MAX_BATCH}]}
        )
    report = services.readings_ingest(device=device, items=items, origin=Transport.REST, all_or_nothing=True)
    if report.rejected:
        errors = {  # DRF's shape: a list of messages per field
            str(rejection["line"]): {name: [message] for name, message in rejection["errors"].items()}
            for rejection in report.rejected
        }
        raise serializers.ValidationError(errors["1"] if single else {"readings": errors})
    if not single:
        return Response(IngestReportSerializer(report.as_dict()).data, status=status.HTTP_201_CREATED)
    if report.added:
        reading = Reading.objects.select_related("device", "lot").get(pk=report.reading_ids[0])
        return Response(ReadingSerializer(reading).data, status=status.HTTP_201_CREATED)
    key = services.reading_clean(device, items[0], lots=services.LotFinder(device)).key
    reading = Reading.objects.select_related("device", "lot").get(device=device, key=key)
    return Response(ReadingSerializer(reading).data, status=status.HTTP_200_OK)


class ReadingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Readings of the company's devices. Devices POST them with their key (one, a list, or
    ``{"readings": [...]}``, up to 1,000); users read those within their scope and assign a
    reading to a lot."""

    authentication_classes = [DeviceKeyAuthentication, CompanyJWTAuthentication, SessionAuthentication]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    action_roles = {"list": EVERYONE, "retrieve": EVERYONE, "assign": WITH_CENTERS}
    serializer_class = ReadingSerializer
    filterset_class = ReadingFilter
    ordering_fields = ["measured_at", "received_at", "net_kg", "moisture_percent"]

    def get_permissions(self):
        return [IsDevice()] if self.action == "create" else [ActionRoles()]

    def get_queryset(self):
        return selectors.reading_list(user=self.request.user)

    @extend_schema(
        request=ReadingInSerializer,
        responses={
            201: ReadingSerializer,
            200: ReadingSerializer,
            400: OpenApiResponse(description="Field errors"),
        },
        description=_(
            'One reading, a list of readings or {"readings": [...]} (then answered with a report).'
        ),
    )
    def create(self, request):
        items, single = request_items(request.data)
        return ingest_response(request, items, single)

    @extend_schema(request=AssignSerializer, responses=ReadingSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        reading = self.get_object()
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lot = _lot_for_user(request.user, serializer.validated_data["lot"])
        reading = services.reading_assign_lot(reading=reading, lot=lot, user=request.user)
        return Response(ReadingSerializer(reading).data)


def _lot_for_user(user, name) -> Lot | None:
    from erp.lots.selectors import lot_list, lot_named

    if name in (None, ""):
        return None
    lot = lot_named(lot_list(user=user), name)
    if lot is None:
        raise serializers.ValidationError(
            {"lot": [_("There is no lot %(lot)s you can see.") % {"lot": str(name).strip()[:40]}]}
        )
    return lot


class PesajeView(APIView):
    """The seed's ``POST /iot/pesaje {lote_id, peso, humedad, origen}``: one reading (peso
    in kg, humedad in %), sent with the device key."""

    authentication_classes = [DeviceKeyAuthentication]
    permission_classes = [IsDevice]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(request=ReadingInSerializer, responses={201: ReadingSerializer, 200: ReadingSerializer})
    def post(self, request):
        items, single = request_items(request.data)
        return ingest_response(request, items, single)


# --- CSV imports ----------------------------------------------------------------------------


@extend_schema_field({"type": "string", "enum": ImportStatus.values})
class ImportStatusField(serializers.CharField):
    """Inline in the schema: the same values as the master's report status, another meaning."""


class ReadingImportSerializer(serializers.ModelSerializer):
    device_name = serializers.CharField(source="device.name", read_only=True)
    status = ImportStatusField(read_only=True)
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ReadingImport
        fields = [
            "id",
            "device",
            "device_name",
            "original_name",
            "size_bytes",
            "status",
            "progress_percent",
            "lines_done",
            "added",
            "duplicates",
            "rejected",
            "rejections",
            "message",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.BINARY)
class CsvFileField(serializers.FileField):
    pass


class CsvUploadSerializer(serializers.Serializer):
    file = CsvFileField(allow_empty_file=True)
    device = serializers.IntegerField(
        required=False, help_text=_("The device whose file it is (users only; a device sends its own).")
    )


class CsvUploadView(APIView):
    """A Siemens scale terminal's or PLC's CSV export (multipart ``file``). Sent by the
    device with its key, or by a user for a device it may see (``device``). Small files are
    imported at once (201 with the report; 400 when the file cannot be read, its header, say);
    larger ones by a worker (202; follow
    ``/api/v1/iot/imports/{id}/``)."""

    authentication_classes = ReadingViewSet.authentication_classes
    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [ActionRoles]
    action_roles = {"post": WITH_CENTERS}

    def get_permissions(self):
        if isinstance(self.request.auth, Device):
            return [IsDevice()]
        return super().get_permissions()

    @extend_schema(
        request=CsvUploadSerializer,
        responses={201: ReadingImportSerializer, 202: ReadingImportSerializer, 400: ReadingImportSerializer},
    )
    def post(self, request):
        from .csv_import import import_upload

        serializer = CsvUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device = request.auth if isinstance(request.auth, Device) else self._device(request, serializer)
        user = None if isinstance(request.auth, Device) else request.user
        reading_import = import_upload(
            device=device, uploaded_file=serializer.validated_data["file"], user=user
        )
        data = ReadingImportSerializer(reading_import).data
        if reading_import.status == ImportStatus.FAILED:  # a file that cannot be read as a whole
            return Response({"detail": reading_import.message, **data}, status=status.HTTP_400_BAD_REQUEST)
        done = reading_import.status == ImportStatus.DONE
        return Response(data, status=status.HTTP_201_CREATED if done else status.HTTP_202_ACCEPTED)

    @staticmethod
    def _device(request, serializer) -> Device:
        device_id = serializer.validated_data.get("device")
        if device_id is None:
            raise serializers.ValidationError({"device": [_("Choose the device whose file this is.")]})
        device = selectors.devices_visible_to(request.user).filter(pk=device_id, is_active=True).first()
        if device is None:
            raise serializers.ValidationError(
                {"device": [_("There is no active device %(id)s you can see.") % {"id": device_id}]}
            )
        return device


class ReadingImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """CSV imports and their reports (rows added, duplicates, rejected with line and reason)."""

    permission_classes = [ActionRoles]
    action_roles = {"list": WITH_CENTERS, "retrieve": WITH_CENTERS}
    serializer_class = ReadingImportSerializer
    filterset_fields = ["device", "status"]

    def get_queryset(self):
        return selectors.imports_visible_to(self.request.user)
