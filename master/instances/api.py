"""Master API for instances (root domain): staff register and watch on-premise
installations; the installations post their heartbeats, signed with their own key."""

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from master.companies.api import IsMasterStaff
from master.licensing.models import License

from . import services
from .models import HeartbeatState, Instance, LicenseState


class InstanceSerializer(serializers.ModelSerializer):
    license = serializers.SlugRelatedField(slug_field="code", read_only=True)
    company = serializers.SerializerMethodField()
    is_stale = serializers.SerializerMethodField()
    heartbeat_state = serializers.SerializerMethodField()
    license_matches = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = Instance
        fields = [
            "id",
            "uid",
            "name",
            "license",
            "company",
            "is_active",
            "is_stale",
            "heartbeat_state",
            "last_heartbeat_at",
            "reported_version",
            "reported_license_code",
            "reported_license_state",
            "license_matches",
            "reported_healthy",
            "reported_health",
            "registered_by",
            "registered_at",
        ]
        read_only_fields = fields

    def get_company(self, instance) -> str | None:
        company = instance.license.company if instance.license else None
        return company.slug if company else None

    def get_is_stale(self, instance) -> bool:
        return instance.is_stale()

    @extend_schema_field(serializers.ChoiceField(choices=HeartbeatState.choices))
    def get_heartbeat_state(self, instance) -> str:
        return instance.heartbeat_state()


class InstanceWriteSerializer(serializers.ModelSerializer):
    license = serializers.SlugRelatedField(
        slug_field="code",
        queryset=License.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("The code of the on-premise license the installation runs."),
        error_messages={"does_not_exist": gettext_lazy("No license with the code {value}.")},
    )

    class Meta:
        model = Instance
        fields = list(services.EDITABLE_FIELDS)


class CredentialsSerializer(serializers.Serializer):
    instance = InstanceSerializer()
    instance_id = serializers.UUIDField(help_text=gettext_lazy("TRIBOKA_INSTANCE_ID on the installation."))
    private_key = serializers.CharField(
        help_text=gettext_lazy("TRIBOKA_INSTANCE_KEY on the installation; shown this once, not stored.")
    )


def _credentials(credentials: services.Credentials, code=status.HTTP_200_OK) -> Response:
    data = {
        "instance": credentials.instance,
        "instance_id": credentials.instance.uid,
        "private_key": credentials.private_key,
    }
    return Response(CredentialsSerializer(data).data, status=code)


class InstanceViewSet(viewsets.GenericViewSet):
    """On-premise installations (?stale=true|false, ?search=<name or license code>)."""

    permission_classes = [IsMasterStaff]
    serializer_class = InstanceSerializer

    def get_queryset(self):
        instances = Instance.objects.select_related("license__company")
        params = self.request.query_params
        if params.get("stale") in ("true", "false"):
            instances = instances.stale() if params["stale"] == "true" else instances.fresh()
        if params.get("search"):
            term = params["search"].strip()
            instances = instances.filter(Q(name__icontains=term) | Q(license__code__iexact=term))
        return instances

    def _get(self, pk) -> Instance:
        return get_object_or_404(Instance.objects.select_related("license__company"), pk=pk)

    @extend_schema(
        parameters=[OpenApiParameter("stale", bool), OpenApiParameter("search", str)],
        responses=InstanceSerializer(many=True),
    )
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(InstanceSerializer(page, many=True).data)

    @extend_schema(responses=InstanceSerializer)
    def retrieve(self, request, pk=None):
        return Response(InstanceSerializer(self._get(pk)).data)

    @extend_schema(request=InstanceWriteSerializer, responses={201: CredentialsSerializer})
    def create(self, request):
        serializer = InstanceWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        credentials = services.instance_register(
            name=data["name"], license=data.get("license"), registered_by=request.user.email
        )
        return _credentials(credentials, status.HTTP_201_CREATED)

    @extend_schema(request=InstanceWriteSerializer, responses=InstanceSerializer)
    def partial_update(self, request, pk=None):
        instance = self._get(pk)
        serializer = InstanceWriteSerializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.instance_update(instance=instance, **serializer.validated_data)
        return Response(InstanceSerializer(self._get(pk)).data)

    @extend_schema(request=None, responses=CredentialsSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-key")
    def rotate_key(self, request, pk=None):
        """New credentials for the installation; the old key stops working at once."""
        return _credentials(services.instance_key_rotate(instance=self._get(pk)))


class HeartbeatLicenseSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20, allow_blank=True)
    company = serializers.CharField(max_length=63, allow_blank=True, required=False)
    expires_on = serializers.DateField(allow_null=True, required=False)
    state = serializers.ChoiceField(choices=LicenseState.choices)


class HeartbeatHealthSerializer(serializers.Serializer):
    healthy = serializers.BooleanField()
    checks = serializers.DictField(child=serializers.DictField(), required=False, default=dict)


class HeartbeatSerializer(serializers.Serializer):
    instance = serializers.UUIDField()
    sent_at = serializers.DateTimeField()
    version = serializers.CharField(max_length=32)
    license = HeartbeatLicenseSerializer()
    health = HeartbeatHealthSerializer()


class HeartbeatView(APIView):
    """An installation's heartbeat. No login: the ``X-Triboka-Signature`` header (the
    base64 Ed25519 signature of the body by the instance's key) is the authentication."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=HeartbeatSerializer,
        parameters=[
            OpenApiParameter(
                services.SIGNATURE_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="base64 Ed25519 signature of the request body by the instance's key",
            )
        ],
        responses=inline_serializer(
            "HeartbeatAnswer",
            {
                "instance": serializers.CharField(),
                "received_at": serializers.DateTimeField(),
                "stale_after_minutes": serializers.IntegerField(),
            },
        ),
    )
    def post(self, request):
        instance, data = services.heartbeat_authenticate(
            body=request.body, signature=request.headers.get(services.SIGNATURE_HEADER, "")
        )
        serializer = HeartbeatSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        fields = serializer.validated_data
        instance = services.heartbeat_record(
            instance=instance,
            sent_at=fields["sent_at"],
            version=fields["version"],
            license=fields["license"],
            health=fields["health"],
        )
        answer = {
            "instance": instance.name,
            "received_at": instance.last_heartbeat_at,
            "stale_after_minutes": settings.INSTANCE_STALE_MINUTES,
        }
        return Response(answer)
