"""Quality API under /api/v1/quality/: analyses (cut test, grade, pass/fail, photos, the
rejection of a failing lot), certificates (with their file), contracts' quality terms."""

import django_filters
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from erp.access import (
    COMPANY_SIDE,
    EVERYONE,
    WITH_CENTERS,
    ActionRoles,
    contracts_visible_to,
    is_company_side,
    lots_visible_to,
    visible_partners,
)
from erp.contracts.models import Contract
from erp.lots.models import Lot
from erp.partners.models import Partner
from triboka.uploads import stored_file_response

from . import selectors, services
from .grades import CUT_TEST_FIELDS
from .models import AnalysisPhoto, Certificate, ContractQualityTerms, QualityAnalysis


@extend_schema_field(OpenApiTypes.BINARY)
class UploadedFileField(serializers.FileField):
    pass


class PercentagesSerializer(serializers.Serializer):
    """The shown percentages (2 places, adding up to 100.00; erp/quality/grades.py)."""

    well_fermented = serializers.DecimalField(max_digits=5, decimal_places=2)
    partly_fermented = serializers.DecimalField(max_digits=5, decimal_places=2)
    slaty = serializers.DecimalField(max_digits=5, decimal_places=2)
    mouldy = serializers.DecimalField(max_digits=5, decimal_places=2)
    insect_damaged = serializers.DecimalField(max_digits=5, decimal_places=2)
    germinated = serializers.DecimalField(max_digits=5, decimal_places=2)
    flat = serializers.DecimalField(max_digits=5, decimal_places=2)


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = AnalysisPhoto
        fields = ["id", "original_name", "content_type", "size", "sha256", "uploaded_at", "url"]

    def get_url(self, photo) -> str:
        return reverse("quality-photo-file", kwargs={"pk": photo.pk}, request=self.context.get("request"))


class AnalysisSerializer(serializers.ModelSerializer):
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.none())
    lot_code = serializers.CharField(source="lot.code", read_only=True)
    variety = serializers.CharField(source="lot.variety", read_only=True)
    analyst = serializers.EmailField(source="analyst.email", read_only=True, default=None)
    percentages = PercentagesSerializer(read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = QualityAnalysis
        fields = [
            "id",
            "lot",
            "lot_code",
            "variety",
            "analysed_at",
            "analyst",
            "analyst_name",
            "sample_size",
            *CUT_TEST_FIELDS,
            "percentages",
            "moisture_percent",
            "bean_count_per_100g",
            "grade",
            "passed",
            "failed_terms",
            "notes",
            "photos",
            "created_at",
        ]
        read_only_fields = ["grade", "passed", "failed_terms", "created_at"]
        extra_kwargs = {"analysed_at": {"required": False}}


class AnalysisFilter(django_filters.FilterSet):
    lot = django_filters.NumberFilter(field_name="lot_id")
    passed = django_filters.BooleanFilter()
    failing = django_filters.BooleanFilter(field_name="passed", method="_failing")

    class Meta:
        model = QualityAnalysis
        fields = ["lot", "grade", "passed"]

    def _failing(self, queryset, name, value):
        return queryset.filter(passed=False) if value else queryset.exclude(passed=False)


class PhotoUploadSerializer(serializers.Serializer):
    file = UploadedFileField(allow_empty_file=True)  # an empty file is refused by the service


class AnalysisViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Analyses of the lots the user may see; centers and the company side record them."""

    permission_classes = [ActionRoles]
    action_roles = {
        "list": EVERYONE,
        "retrieve": EVERYONE,
        "create": WITH_CENTERS,
        "photos": WITH_CENTERS,
        "reject_lot": COMPANY_SIDE,
    }
    serializer_class = AnalysisSerializer
    filterset_class = AnalysisFilter
    ordering_fields = ["analysed_at", "grade"]

    def get_queryset(self):
        return selectors.analysis_list(user=self.request.user).prefetch_related("photos")

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if "lot" in getattr(serializer, "fields", {}):
            serializer.fields["lot"].queryset = lots_visible_to(self.request.user, Lot.objects.all())
        return serializer

    def perform_create(self, serializer):
        serializer.instance = services.analysis_create(user=self.request.user, **serializer.validated_data)

    @extend_schema(request=None, responses=AnalysisSerializer)
    @action(detail=True, methods=["post"], url_path="reject-lot")
    def reject_lot(self, request, pk=None):
        analysis = self.get_object()
        services.analysis_reject_lot(analysis=analysis, user=request.user)
        analysis.lot.refresh_from_db()
        return Response(self.get_serializer(analysis).data)

    @extend_schema(request={"multipart/form-data": PhotoUploadSerializer}, responses={201: PhotoSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request, pk=None):
        analysis = self.get_object()
        upload = PhotoUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        photo = services.analysis_photo_add(
            analysis=analysis, uploaded_file=upload.validated_data["file"], user=request.user
        )
        return Response(
            PhotoSerializer(photo, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class PhotoFileView(APIView):
    """A photo's bytes, to those who may see its analysis."""

    permission_classes = [ActionRoles]
    action_roles = {"get": EVERYONE}

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        analyses = selectors.analysis_list(user=request.user)
        photo = get_object_or_404(AnalysisPhoto.objects.filter(analysis__in=analyses), pk=pk)
        return stored_file_response(photo.file, name=photo.original_name, content_type=photo.content_type)


class CertificateSerializer(serializers.ModelSerializer):
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.none(), required=False, allow_null=True)
    partner = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.none(), required=False, allow_null=True
    )
    lot_code = serializers.CharField(source="lot.code", read_only=True, default=None)
    partner_name = serializers.CharField(source="partner.name", read_only=True, default=None)
    expired = serializers.BooleanField(source="is_expired", read_only=True)
    file = UploadedFileField(required=False, write_only=True, allow_empty_file=True)
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "lot",
            "lot_code",
            "partner",
            "partner_name",
            "kind",
            "number",
            "issuer",
            "valid_from",
            "valid_to",
            "expired",
            "file",
            "file_url",
            "original_name",
            "content_type",
            "created_at",
        ]
        read_only_fields = ["original_name", "content_type", "created_at"]

    def get_file_url(self, certificate) -> str | None:
        if not certificate.file:
            return None
        return reverse(
            "quality-certificate-file", kwargs={"pk": certificate.pk}, request=self.context.get("request")
        )


class CertificateFilter(django_filters.FilterSet):
    lot = django_filters.NumberFilter(field_name="lot_id")
    partner = django_filters.NumberFilter(field_name="partner_id")
    expired = django_filters.BooleanFilter(method="_expired")

    class Meta:
        model = Certificate
        fields = ["kind", "lot", "partner"]

    def _expired(self, queryset, name, value):
        expired = Certificate.objects.expired()
        return queryset.filter(pk__in=expired) if value else queryset.exclude(pk__in=expired)


class CertificateViewSet(viewsets.ModelViewSet):
    """Certificates of lots and of suppliers. The company side records any; a center those
    of its own lots; everyone reads those they may see."""

    permission_classes = [ActionRoles]
    action_roles = {
        "list": EVERYONE,
        "retrieve": EVERYONE,
        "file": EVERYONE,
        "create": WITH_CENTERS,
        "update": COMPANY_SIDE,
        "partial_update": COMPANY_SIDE,
        "destroy": COMPANY_SIDE,
    }
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilter
    search_fields = ["number", "issuer"]
    ordering_fields = ["valid_to", "valid_from", "kind"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.certificate_list(user=self.request.user)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        fields = getattr(serializer, "fields", {})
        if "lot" in fields:
            fields["lot"].queryset = lots_visible_to(self.request.user, Lot.objects.all())
            fields["partner"].queryset = visible_partners(self.request)
        return serializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        if not is_company_side(self.request.user) and data.get("partner") is not None:
            raise serializers.ValidationError(
                {"partner": [_("A center records certificates of its own lots only.")]}
            )
        upload = data.pop("file", None)
        serializer.instance = services.certificate_create(
            user=self.request.user, uploaded_file=upload, **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        upload = data.pop("file", None)
        certificate = services.certificate_update(certificate=serializer.instance, **data)
        if upload is not None:
            services.certificate_attach_file(certificate=certificate, uploaded_file=upload)
        serializer.instance = certificate

    def perform_destroy(self, instance):
        services.certificate_delete(certificate=instance)

    @extend_schema(request=None, responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def file(self, request, pk=None):
        certificate = self.get_object()
        if not certificate.file:
            raise Http404
        return stored_file_response(
            certificate.file, name=certificate.original_name, content_type=certificate.content_type
        )


class TermsSerializer(serializers.ModelSerializer):
    contract_code = serializers.CharField(source="contract.code", read_only=True)

    class Meta:
        model = ContractQualityTerms
        fields = ["contract", "contract_code", *services.TERM_FIELDS, "updated_at"]
        read_only_fields = ["contract", "updated_at"]


class ContractTermsView(APIView):
    """A contract's quality terms in figures: read by whoever sees the contract, set (PUT,
    the figures given; null clears one) by the company side."""

    permission_classes = [ActionRoles]
    action_roles = {"get": EVERYONE, "put": COMPANY_SIDE}
    serializer_class = TermsSerializer

    def _contract(self, request, contract_id: int) -> Contract:
        return get_object_or_404(contracts_visible_to(request.user, Contract.objects.all()), pk=contract_id)

    def _terms(self, contract) -> ContractQualityTerms:
        return ContractQualityTerms.objects.filter(contract=contract).first() or ContractQualityTerms(
            contract=contract
        )

    @extend_schema(responses=TermsSerializer)
    def get(self, request, contract_id: int):
        return Response(TermsSerializer(self._terms(self._contract(request, contract_id))).data)

    @extend_schema(request=TermsSerializer, responses=TermsSerializer)
    def put(self, request, contract_id: int):
        contract = self._contract(request, contract_id)
        serializer = TermsSerializer(self._terms(contract), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        terms = services.terms_set(contract=contract, **serializer.validated_data)
        return Response(TermsSerializer(terms).data)
