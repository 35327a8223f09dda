"""Documents of contracts: upload and list per contract (/api/v1/contracts/{id}/documents/),
all visible documents (/api/v1/documents/), downloads through expiring signed links."""

import django_filters
from django.http import FileResponse, Http404, HttpResponseRedirect
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from erp.access import ADMIN, COMPANY_SIDE, EVERYONE, ActionRoles, visible_contracts
from erp.contracts.api import get_contract_for_user

from . import services, signing
from .models import Document, DocumentAccessAction, DocumentKind
from .selectors import document_list


class DocumentSerializer(serializers.ModelSerializer):
    contract_code = serializers.CharField(source="contract.code", read_only=True)
    uploaded_by = serializers.EmailField(source="uploaded_by.email", read_only=True, default=None)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "contract",
            "contract_code",
            "kind",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "deleted_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, document) -> str:
        return reverse("document-download", kwargs={"pk": document.pk}, request=self.context.get("request"))


@extend_schema_field(OpenApiTypes.BINARY)  # a file part, not the URL FileField shows by default
class UploadedFileField(serializers.FileField):
    pass


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    # Empty files are refused by the service, with the other content checks.
    file = UploadedFileField(allow_empty_file=True)


class DocumentFilter(django_filters.FilterSet):
    uploaded_after = django_filters.DateTimeFilter(field_name="uploaded_at", lookup_expr="gte")
    uploaded_before = django_filters.DateTimeFilter(field_name="uploaded_at", lookup_expr="lte")
    contract = django_filters.ModelChoiceFilter(queryset=visible_contracts)

    class Meta:
        model = Document
        fields = ["contract", "kind", "content_type"]


class ContractDocumentsView(generics.ListAPIView):
    """A contract's documents; anyone who can see the contract lists them and uploads."""

    permission_classes = [ActionRoles]
    action_roles = {"get": EVERYONE, "post": EVERYONE}
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    search_fields = ["original_name"]
    ordering_fields = ["uploaded_at", "original_name", "size", "kind"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no contract
            return Document.objects.none()
        contract = get_contract_for_user(self.request.user, self.kwargs["contract_id"])
        return document_list(user=self.request.user).filter(contract=contract)

    @extend_schema(request=DocumentUploadSerializer, responses={201: DocumentSerializer})
    def post(self, request, contract_id: int):
        contract = get_contract_for_user(request.user, contract_id)
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = services.document_upload(
            contract=contract,
            kind=serializer.validated_data["kind"],
            uploaded_file=serializer.validated_data["file"],
            user=request.user,
        )
        return Response(self.get_serializer(document).data, status=status.HTTP_201_CREATED)


class DocumentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Every document the user may see; soft deletion by the company side, restore by an
    administrator; downloads through ``download``."""

    permission_classes = [ActionRoles]
    action_roles = {
        "list": EVERYONE,
        "retrieve": EVERYONE,
        "download": EVERYONE,
        "destroy": COMPANY_SIDE,
        "restore": ADMIN,
    }
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    search_fields = ["original_name", "contract__code"]
    ordering_fields = ["uploaded_at", "original_name", "size", "kind"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Document.objects.none()
        return document_list(user=self.request.user, include_deleted=self.action == "restore")

    def perform_destroy(self, instance):
        services.document_delete(document=instance)

    @extend_schema(request=None, responses=DocumentSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        document = services.document_restore(document=self.get_object())
        return Response(self.get_serializer(document).data)

    @extend_schema(
        request=None,
        responses={302: OpenApiResponse(description="Redirect to a link valid DOCUMENT_LINK_SECONDS.")},
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """Record the download and redirect to an expiring link to the file."""
        document = self.get_object()
        services.document_access_record(
            document=document, user=request.user, action=DocumentAccessAction.DOWNLOAD
        )
        return HttpResponseRedirect(signing.download_url(document=document, request=request))


class DocumentFileView(APIView):
    """The file behind a download link. No login: the signed token is the permission, and
    it names the company and the document it was made for."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("token", str, required=True)],
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            403: OpenApiResponse(description="Expired, tampered or foreign link."),
        },
    )
    def get(self, request, pk: int):
        signing.link_check(token=request.query_params.get("token", ""), document_id=pk)
        document = get_object_or_404(Document.objects, pk=pk)
        try:
            handle = document.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
        )
        response["Cache-Control"] = "private, no-store"
        return response
