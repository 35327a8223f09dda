"""Partners, and the company's users with their partner bindings (/api/v1/partners/, /api/v1/users/)."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from erp.access import ADMIN, EVERYONE, ActionRoles, partners_visible_to
from triboka.accounts.models import COMPANY_ROLES, Language, User

from . import services
from .logos import logo_response
from .models import Partner


class PartnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Partner
        fields = ["id", *services.PARTNER_FIELDS, "created_at", "updated_at", "deleted_at"]
        read_only_fields = ["created_at", "updated_at", "deleted_at"]
        # Uniqueness and cross-field rules are the service's (model full_clean).
        validators = []

    def to_representation(self, partner):
        """The logo's address is the API's own (``.../logo/``): media are not public."""
        data = super().to_representation(partner)
        if partner.logo:
            data["logo"] = reverse(
                "partner-logo", kwargs={"pk": partner.pk}, request=self.context.get("request")
            )
        return data


class PartnerFilter(django_filters.FilterSet):
    class Meta:
        model = Partner
        fields = ["kind", "province", "is_active"]


class PartnerViewSet(viewsets.ModelViewSet):
    """Suppliers, collection centers, exporters and buyers. Partner users see their own."""

    permission_classes = [ActionRoles]
    action_roles = {
        "list": EVERYONE,
        "retrieve": EVERYONE,
        "logo": EVERYONE,
        "create": ADMIN,
        "update": ADMIN,
        "partial_update": ADMIN,
        "destroy": ADMIN,
        "restore": ADMIN,
    }
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter
    search_fields = ["name", "tax_id", "canton", "contact_name"]
    ordering_fields = ["name", "created_at", "kind"]

    def get_queryset(self):
        manager = Partner.all_objects if self.action == "restore" else Partner.objects
        return partners_visible_to(self.request.user, manager.all())

    def perform_create(self, serializer):
        serializer.instance = services.partner_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.partner_update(
            partner=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.partner_delete(partner=instance)

    @extend_schema(
        request=None,
        responses={(200, "image/*"): OpenApiTypes.BINARY, 404: OpenApiResponse(description="No logo.")},
    )
    @action(detail=True, methods=["get"])
    def logo(self, request, pk=None):
        """The partner's logo image."""
        return logo_response(self.get_object())

    @extend_schema(request=None, responses=PartnerSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        partner = services.partner_restore(partner=self.get_object())
        return Response(PartnerSerializer(partner, context={"request": request}).data)


# --- users -----------------------------------------------------------------------------


class CompanyUserSerializer(serializers.ModelSerializer):
    partner = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.all(), allow_null=True, required=False
    )
    role = serializers.ChoiceField(choices=[(r.value, r.label) for r in COMPANY_ROLES])
    language = serializers.ChoiceField(choices=Language.choices, required=False)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "role",
            "language",
            "partner",
            "is_active",
            "last_login",
            "date_joined",
        ]
        read_only_fields = ["last_login", "date_joined"]
        extra_kwargs = {"email": {"validators": []}}  # duplicates are the service's to report

    def to_representation(self, user):
        membership = getattr(user, "membership", None)  # select_related: no extra query
        user.partner = membership.partner if membership else None
        return super().to_representation(user)


class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The company's users (admins only): invite by e-mail, bind to a partner, change the
    role, deactivate. Users are deactivated, not deleted."""

    permission_classes = [ActionRoles]
    action_roles = {
        "list": ADMIN,
        "retrieve": ADMIN,
        "create": ADMIN,
        "update": ADMIN,
        "partial_update": ADMIN,
    }
    serializer_class = CompanyUserSerializer
    filterset_fields = ["role", "is_active"]
    search_fields = ["email", "full_name"]
    ordering_fields = ["email", "date_joined", "last_login"]

    def get_queryset(self):
        return User.objects.select_related("membership__partner").order_by("email")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = services.user_invite(
            email=data["email"],
            role=data["role"],
            full_name=data.get("full_name", ""),
            language=data.get("language", "es"),
            partner=data.get("partner"),
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
        return Response(self.get_serializer(user).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        user = self.get_object()
        serializer = self.get_serializer(user, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "email" in data and data.pop("email").lower() != user.email:
            raise serializers.ValidationError({"email": ["The e-mail of a user cannot change."]})
        user = services.user_change(user=user, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=user.pk)).data)
