"""Master API for licenses (root domain, staff only): list, issue, edit, assign to a
company, renew, extend, suspend and reactivate."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from master.companies.api import IsMasterStaff, company_slug_field

from . import services
from .models import License, LicenseStatus, LicenseType, Module


class LicenseSerializer(serializers.ModelSerializer):
    company = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = License
        fields = [
            "id",
            "code",
            "company",
            "type",
            "status",
            *[field for field in services.EDITABLE_FIELDS if field != "type"],
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class LicenseWriteSerializer(serializers.ModelSerializer):
    """What staff set; the service checks the rest (modules, dates) with every field at once."""

    modules = serializers.ListField(child=serializers.ChoiceField(choices=Module.choices), required=False)
    company = company_slug_field(required=False, allow_null=True)

    class Meta:
        model = License
        fields = ["company", *services.EDITABLE_FIELDS]
        extra_kwargs = {"starts_on": {"required": False}}  # today, when not given


class AssignSerializer(serializers.Serializer):
    company = company_slug_field()


class ExtendSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=services.MAX_EXTENSION_DAYS)


class LicenseViewSet(viewsets.GenericViewSet):
    """Licenses of every company (?company=<subdomain>, ?type=, ?status=)."""

    permission_classes = [IsMasterStaff]
    serializer_class = LicenseSerializer

    def get_queryset(self):
        licenses = License.objects.select_related("company")
        params = self.request.query_params
        if params.get("company"):
            licenses = licenses.filter(company__slug=params["company"])
        if params.get("type") in LicenseType.values:
            licenses = licenses.filter(type=params["type"])
        if params.get("status") in LicenseStatus.values:
            licenses = licenses.filter(status=params["status"])
        return licenses

    def _get(self, pk) -> License:
        return get_object_or_404(License.objects.select_related("company"), pk=pk)

    def _answer(self, license: License, code=status.HTTP_200_OK) -> Response:
        return Response(LicenseSerializer(self._get(license.pk)).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("company", str),
            OpenApiParameter("type", str),
            OpenApiParameter("status", str),
        ],
        responses=LicenseSerializer(many=True),
    )
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(LicenseSerializer(page, many=True).data)

    @extend_schema(responses=LicenseSerializer)
    def retrieve(self, request, pk=None):
        return self._answer(self._get(pk))

    @extend_schema(request=LicenseWriteSerializer, responses={201: LicenseSerializer})
    def create(self, request):
        serializer = LicenseWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        license = services.license_issue(
            company=data.pop("company", None), license_type=data.pop("type"), **data
        )
        return self._answer(license, status.HTTP_201_CREATED)

    @extend_schema(request=LicenseWriteSerializer, responses=LicenseSerializer)
    def update(self, request, pk=None, partial=False):
        license = self._get(pk)
        serializer = LicenseWriteSerializer(license, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        company = changes.pop("company", license.company)
        if company != license.company:
            services.license_assign(license=license, company=company)
        services.license_update(license=license, **changes)
        return self._answer(license)

    @extend_schema(request=LicenseWriteSerializer, responses=LicenseSerializer)
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    @extend_schema(request=AssignSerializer, responses=LicenseSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(
            services.license_assign(license=self._get(pk), company=serializer.validated_data["company"])
        )

    @extend_schema(request=None, responses=LicenseSerializer)
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        return self._answer(services.license_renew(license=self._get(pk)))

    @extend_schema(request=ExtendSerializer, responses=LicenseSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        serializer = ExtendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(
            services.license_extend(license=self._get(pk), days=serializer.validated_data["days"])
        )

    @extend_schema(request=None, responses=LicenseSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._answer(services.license_suspend(license=self._get(pk)))

    @extend_schema(request=None, responses=LicenseSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        return self._answer(services.license_reactivate(license=self._get(pk)))
