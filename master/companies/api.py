"""Master API for companies and the user directory (root domain, staff only)."""

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView, ListAPIView, get_object_or_404
from rest_framework.response import Response

from master.licensing.models import LicenseType
from triboka.audit.models import AuditAction
from triboka.audit.services import (
    COMPANY_STATUS_FIELDS,
    audit_company_deleted,
    audit_company_status,
    audit_record,
    audit_record_changes,
)

from . import selectors, services
from .models import Company, CompanyKind, UserDirectoryEntry


class IsMasterStaff(permissions.BasePermission):
    """Triboka staff, signed in on the root domain (public schema)."""

    def has_permission(self, request, view):
        user = request.user
        return bool(
            connection.schema_name == "public"
            and user
            and user.is_authenticated
            and user.is_active
            and user.is_staff
        )


def company_slug_field(**options) -> serializers.SlugRelatedField:
    """A company named by its subdomain in a master API request; an unknown one is a 400 on
    the field that says so."""
    return serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Company.objects.all(),
        help_text=gettext_lazy("The company's subdomain."),
        error_messages={"does_not_exist": gettext_lazy("No company with the subdomain {value}.")},
        **options,
    )


class CompanySerializer(serializers.ModelSerializer):
    url = serializers.CharField(read_only=True)
    domains = serializers.SerializerMethodField()
    license = serializers.SerializerMethodField()

    class Meta:
        model = Company
        fields = [
            "id",
            "name",
            "slug",
            "ruc",
            "kind",
            "status",
            "schema_name",
            "url",
            "domains",
            "license",
            "suspended_at",
            "suspension_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_domains(self, company) -> list[str]:
        return [domain.domain for domain in company.domains.all()]

    def get_license(self, company) -> dict | None:
        licenses = list(company.licenses.all())
        if not licenses:
            return None
        latest = licenses[0]
        return {
            "code": latest.code,
            "type": latest.type,
            "starts_on": latest.starts_on,
            "expires_on": latest.expires_on,
        }


class CompanyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.CharField(max_length=63)
    ruc = serializers.CharField(max_length=13)
    kind = serializers.ChoiceField(choices=CompanyKind.choices)
    license_type = serializers.ChoiceField(choices=LicenseType.choices)
    # Checked by the service with the slug and RUC, so every problem is reported at once.
    admin_email = serializers.CharField(max_length=254)
    admin_password = serializers.CharField(
        required=False, allow_blank=True, write_only=True, style={"input_type": "password"}
    )
    admin_full_name = serializers.CharField(required=False, allow_blank=True, max_length=150)


class CompanyProvisionedSerializer(CompanySerializer):
    admin_email = serializers.EmailField(read_only=True)
    set_password_url = serializers.CharField(read_only=True, allow_null=True)

    class Meta(CompanySerializer.Meta):
        fields = [*CompanySerializer.Meta.fields, "admin_email", "set_password_url"]
        read_only_fields = fields


class CompanyUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    ruc = serializers.CharField(max_length=13)
    kind = serializers.ChoiceField(choices=CompanyKind.choices)
    slug = serializers.CharField(max_length=63, required=False)


class CompanySuspendSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


def _fields(company: Company, names) -> dict:
    return {name: getattr(company, name) for name in names}


class CompanyViewSet(viewsets.GenericViewSet):
    """Companies: list, search (?search=, ?status=, ?kind=), create, edit, suspend,
    reactivate and delete (a final dump is written first)."""

    permission_classes = [IsMasterStaff]
    serializer_class = CompanySerializer

    def get_queryset(self):
        return selectors.company_list()

    def _get(self, pk) -> Company:
        return get_object_or_404(selectors.company_list(), pk=pk)

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str),
            OpenApiParameter("status", str),
            OpenApiParameter("kind", str),
        ],
        responses=CompanySerializer(many=True),
    )
    def list(self, request):
        companies = selectors.company_list(
            search=request.query_params.get("search", "").strip(),
            status=request.query_params.get("status", ""),
            kind=request.query_params.get("kind", ""),
        )
        page = self.paginate_queryset(companies)
        return self.get_paginated_response(CompanySerializer(page, many=True).data)

    @extend_schema(request=CompanyCreateSerializer, responses={201: CompanyProvisionedSerializer})
    def create(self, request):
        serializer = CompanyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {**serializer.validated_data}
        data["admin_password"] = data.get("admin_password") or None
        result = services.company_provision(**data)
        audit_record(
            action=AuditAction.COMPANY_CREATED,
            target=result.company,
            company=result.company,
            after={
                **_fields(result.company, ("name", "slug", "ruc", "kind")),
                "license_type": data["license_type"],
            },
            platform=True,
        )
        company = self._get(result.company.pk)
        company.admin_email = result.admin_email
        company.set_password_url = result.set_password_url
        return Response(CompanyProvisionedSerializer(company).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=CompanySerializer)
    def retrieve(self, request, pk=None):
        return Response(CompanySerializer(self._get(pk)).data)

    @extend_schema(request=CompanyUpdateSerializer, responses=CompanySerializer)
    def update(self, request, pk=None, partial=False):
        company = self._get(pk)
        serializer = CompanyUpdateSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        before = _fields(company, services.EDITABLE_FIELDS)
        services.company_update(company=company, **serializer.validated_data)
        audit_record_changes(
            action=AuditAction.COMPANY_UPDATED,
            target=company,
            company=company,
            before=before,
            after=_fields(company, services.EDITABLE_FIELDS),
            platform=True,
        )
        return Response(CompanySerializer(self._get(pk)).data)

    @extend_schema(request=CompanyUpdateSerializer, responses=CompanySerializer)
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    @extend_schema(responses={200: dict})
    def destroy(self, request, pk=None):
        company = self._get(pk)
        dump = services.company_delete(company=company, confirm_slug=company.slug)
        audit_company_deleted(company=company, company_id=pk, final_dump=dump)
        return Response({"deleted": company.slug, "final_dump": str(dump)})

    @extend_schema(request=CompanySuspendSerializer, responses=CompanySerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        serializer = CompanySuspendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        company = self._get(pk)
        before = _fields(company, COMPANY_STATUS_FIELDS)
        services.company_suspend(company=company, reason=serializer.validated_data.get("reason", ""))
        audit_company_status(company=company, before=before)
        return Response(CompanySerializer(self._get(pk)).data)

    @extend_schema(request=None, responses=CompanySerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        company = self._get(pk)
        before = _fields(company, COMPANY_STATUS_FIELDS)
        services.company_reactivate(company=company)
        audit_company_status(company=company, before=before)
        return Response(CompanySerializer(self._get(pk)).data)


class DirectoryEntrySerializer(serializers.ModelSerializer):
    company = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    company_name = serializers.CharField(source="company.name", read_only=True)

    class Meta:
        model = UserDirectoryEntry
        fields = [
            "id",
            "company",
            "company_name",
            "user_id",
            "email",
            "full_name",
            "role",
            "is_active",
            "last_login",
            "date_joined",
        ]
        read_only_fields = fields


class DirectoryListView(ListAPIView):
    """Users of every company, from the public directory (?search=, ?company=, ?role=, ?is_active=)."""

    permission_classes = [IsMasterStaff]
    serializer_class = DirectoryEntrySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str),
            OpenApiParameter("company", int),
            OpenApiParameter("role", str),
            OpenApiParameter("is_active", bool),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        is_active = params.get("is_active")
        company = params.get("company", "")
        return selectors.directory_list(
            search=params.get("search", "").strip(),
            company_id=int(company) if company.isdigit() else None,
            role=params.get("role", ""),
            is_active=None if is_active in (None, "") else is_active.lower() in ("1", "true", "yes"),
        )


class DirectoryStatusSerializer(serializers.Serializer):
    is_active = serializers.BooleanField()


def _entry(pk) -> UserDirectoryEntry:
    return get_object_or_404(UserDirectoryEntry.objects.select_related("company"), pk=pk)


class DirectoryPasswordResetView(GenericAPIView):
    """E-mail the user a link to set a new password (staff never see a password)."""

    permission_classes = [IsMasterStaff]
    serializer_class = DirectoryEntrySerializer

    @extend_schema(request=None, responses={202: dict})
    def post(self, request, pk):
        entry = _entry(pk)
        services.directory_password_reset(entry=entry)
        return Response(
            {"detail": _("A link to set a new password was e-mailed to %(email)s.") % {"email": entry.email}},
            status=status.HTTP_202_ACCEPTED,
        )


class DirectoryStatusView(GenericAPIView):
    """Activate or deactivate the user (``{"is_active": false}``): a deactivated user's
    sessions and tokens stop working at once."""

    permission_classes = [IsMasterStaff]
    serializer_class = DirectoryEntrySerializer

    @extend_schema(request=DirectoryStatusSerializer, responses=DirectoryEntrySerializer)
    def put(self, request, pk):
        serializer = DirectoryStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.directory_set_active(
            entry=_entry(pk), is_active=serializer.validated_data["is_active"]
        )
        return Response(DirectoryEntrySerializer(entry).data)
