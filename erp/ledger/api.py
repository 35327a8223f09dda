"""The ledger API under /api/v1/ledger/: the entries, a verification run, and a lot's
verification code and certificate. All of it is the company side's: partners follow their
lots on the lot timeline, and anyone can check an issued code on the public page."""

import django_filters
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from erp.access import COMPANY_SIDE, ActionRoles, lots_visible_to
from erp.lots.models import Lot
from triboka.errors import ApplicationError

from . import selectors, services
from .certificate import certificate_pdf, verification_url
from .models import LedgerEntry, VerificationCode


class LedgerEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = LedgerEntry
        fields = ["seq", "at", "kind", "lot_id", "lot_code", "actor", "payload", "prev_hash", "entry_hash"]


class LedgerEntryFilter(django_filters.FilterSet):
    lot = django_filters.NumberFilter(field_name="lot_id", help_text="A lot's id.")
    lot_code = django_filters.CharFilter(field_name="lot_code")
    kind = django_filters.CharFilter(field_name="kind")

    class Meta:
        model = LedgerEntry
        fields = ["lot", "lot_code", "kind"]


class LedgerEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The company's chain, newest first; one entry by its sequence number."""

    permission_classes = [ActionRoles]
    action_roles = {"list": COMPANY_SIDE, "retrieve": COMPANY_SIDE}
    serializer_class = LedgerEntrySerializer
    filterset_class = LedgerEntryFilter
    lookup_field = "seq"
    lookup_value_regex = r"\d+"
    ordering_fields = ["seq"]

    def get_queryset(self):
        return selectors.entries_visible_to(self.request.user).order_by("-seq")


class LedgerBreakSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=["altered", "missing", "out_of_order"])
    message = serializers.CharField()


class LedgerReportSerializer(serializers.Serializer):
    intact = serializers.BooleanField()
    entries = serializers.IntegerField(help_text="Entries read, up to the first broken link.")
    last_seq = serializers.IntegerField(help_text="The last entry that verified.")
    first_break = LedgerBreakSerializer(allow_null=True)


class LedgerVerifyView(APIView):
    """Walks the whole chain now and reports the first broken link, if any."""

    permission_classes = [ActionRoles]
    action_roles = {"get": COMPANY_SIDE}

    @extend_schema(responses=LedgerReportSerializer)
    def get(self, request):
        return Response(LedgerReportSerializer(services.ledger_verify()).data)


class VerificationCodeSerializer(serializers.ModelSerializer):
    lot = serializers.IntegerField(source="lot_id", read_only=True)
    issued_by = serializers.EmailField(source="issued_by.email", read_only=True, default=None)
    url = serializers.SerializerMethodField()

    class Meta:
        model = VerificationCode
        fields = ["lot", "code", "issued_at", "issued_by", "url"]

    def get_url(self, issued) -> str:
        return verification_url(self.context["request"], issued.code)


def _lot(request, pk) -> Lot:
    return get_object_or_404(lots_visible_to(request.user, Lot.objects.all()), pk=pk)


class LotCodeView(APIView):
    """A lot's verification code: GET reads it (404 when none was issued), POST issues it
    (201) or gives the one it already has (200)."""

    permission_classes = [ActionRoles]
    action_roles = {"get": COMPANY_SIDE, "post": COMPANY_SIDE}

    @extend_schema(responses=VerificationCodeSerializer)
    def get(self, request, pk: int):
        issued = get_object_or_404(
            VerificationCode.objects.select_related("issued_by"), lot=_lot(request, pk)
        )
        return Response(VerificationCodeSerializer(issued, context={"request": request}).data)

    @extend_schema(request=None, responses={200: VerificationCodeSerializer, 201: VerificationCodeSerializer})
    def post(self, request, pk: int):
        issued, created = services.verification_code_issue(lot=_lot(request, pk), user=request.user)
        return Response(
            VerificationCodeSerializer(issued, context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class LotCertificateView(APIView):
    """The lot's traceability certificate (PDF) with its code, URL and QR code; 409 until a
    code is issued."""

    permission_classes = [ActionRoles]
    action_roles = {"get": COMPANY_SIDE}

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        lot = _lot(request, pk)
        issued = selectors.verification_code_of(lot)
        if issued is None:
            raise ApplicationError(
                "Issue the lot's verification code first (POST /api/v1/ledger/lots/{id}/code/).",
                code="no_verification_code",
            )
        return certificate_response(request, lot=lot, code=issued.code)


def certificate_response(request, *, lot, code: str) -> HttpResponse:
    content = certificate_pdf(
        lot=lot,
        code=code,
        url=verification_url(request, code),
        entries=selectors.lot_entry_count(lot),
        company_name=getattr(connection.tenant, "name", ""),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificado-{lot.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
