"""Master API for invoices (root domain, staff only): list, see one, issue one for a license,
record a payment, void."""

import re

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from master.companies.api import IsMasterStaff
from master.licensing.models import License

from . import services
from .models import Invoice, InvoiceStatus, Payment
from .providers import payment_provider

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = [
            "id",
            "amount_usd",
            "provider",
            "reference",
            "received_on",
            "recorded_at",
            "recorded_by",
            "notes",
        ]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    company = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    license = serializers.SlugRelatedField(slug_field="code", read_only=True)
    balance_usd = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "status",
            "company",
            "company_name",
            "company_ruc",
            "license",
            "license_code",
            "period_start",
            "period_end",
            "amount_usd",
            "tax_percent",
            "tax_usd",
            "total_usd",
            "paid_usd",
            "balance_usd",
            "issued_on",
            "due_on",
            "paid_at",
            "provider",
            "provider_reference",
            "issued_by",
            "sent_to",
            "void_reason",
            "void_note",
            "voided_by",
            "voided_at",
            "created_at",
        ]
        read_only_fields = fields


class InvoiceDetailSerializer(InvoiceSerializer):
    payments = PaymentSerializer(many=True, read_only=True)

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "payments"]
        read_only_fields = fields


class InvoiceIssueSerializer(serializers.Serializer):
    license = serializers.SlugRelatedField(
        slug_field="code",
        queryset=License.objects.all(),
        help_text=gettext_lazy("The license's code; its next period (from its expiry) is invoiced."),
        error_messages={"does_not_exist": gettext_lazy("No license with the code {value}.")},
    )


class PaymentRecordSerializer(serializers.Serializer):
    """A payment received; the service checks it against the invoice (balance, status,
    duplicate reference) and answers on the same fields."""

    amount_usd = serializers.DecimalField(max_digits=12, decimal_places=2)
    reference = serializers.CharField(max_length=100)
    received_on = serializers.DateField(required=False)
    provider = serializers.CharField(max_length=32, required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class InvoiceVoidSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


def _month(value: str, field: str) -> tuple[int, int]:
    match = MONTH.match(value)
    if not match or not 1 <= int(match[2]) <= 12:
        raise serializers.ValidationError({field: [gettext_lazy("Use the form YYYY-MM, e.g. 2026-03.")]})
    return int(match[1]), int(match[2])


class InvoiceViewSet(viewsets.GenericViewSet):
    """Invoices of every company (?company=<subdomain>, ?status=, ?period=YYYY-MM: the month
    their period starts in, ?issued=YYYY-MM: the month they were issued in)."""

    permission_classes = [IsMasterStaff]
    serializer_class = InvoiceSerializer

    def get_queryset(self):
        invoices = Invoice.objects.select_related("company", "license")
        params = self.request.query_params
        if params.get("company"):
            invoices = invoices.filter(company__slug=params["company"])
        if params.get("status") in InvoiceStatus.values:
            invoices = invoices.filter(status=params["status"])
        if params.get("period"):
            year, month = _month(params["period"], "period")
            invoices = invoices.filter(period_start__year=year, period_start__month=month)
        if params.get("issued"):
            year, month = _month(params["issued"], "issued")
            invoices = invoices.filter(issued_on__year=year, issued_on__month=month)
        return invoices

    def _get(self, pk) -> Invoice:
        return get_object_or_404(
            Invoice.objects.select_related("company", "license").prefetch_related("payments"), pk=pk
        )

    def _answer(self, invoice: Invoice, code=status.HTTP_200_OK) -> Response:
        return Response(InvoiceDetailSerializer(self._get(invoice.pk)).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("company", str),
            OpenApiParameter("status", str, enum=InvoiceStatus.values),
            OpenApiParameter("period", str, description="YYYY-MM"),
            OpenApiParameter("issued", str, description="YYYY-MM"),
        ],
        responses=InvoiceSerializer(many=True),
    )
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(InvoiceSerializer(page, many=True).data)

    @extend_schema(responses=InvoiceDetailSerializer)
    def retrieve(self, request, pk=None):
        return self._answer(self._get(pk))

    @extend_schema(request=InvoiceIssueSerializer, responses={201: InvoiceDetailSerializer})
    def create(self, request):
        """Invoice a license's next period now and e-mail it (the daily job does this by itself
        for auto-renew licenses; this is for the others, or after voiding one)."""
        serializer = InvoiceIssueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invoice = services.invoice_issue(
            license=serializer.validated_data["license"], issued_by=request.user.email
        )
        return self._answer(invoice, status.HTTP_201_CREATED)

    @extend_schema(request=PaymentRecordSerializer, responses={201: InvoiceDetailSerializer})
    @action(detail=True, methods=["post"])
    def payments(self, request, pk=None):
        """Record a payment received (a bank transfer, by default the invoice's provider);
        answers with the invoice as it stands now."""
        invoice = self._get(pk)
        serializer = PaymentRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        provider = payment_provider(data.pop("provider", invoice.provider))
        provider.payment_record(invoice=invoice, recorded_by=request.user.email, **data)
        return self._answer(invoice, status.HTTP_201_CREATED)

    @extend_schema(request=InvoiceVoidSerializer, responses=InvoiceDetailSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        serializer = InvoiceVoidSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invoice = services.invoice_void(
            invoice=self._get(pk), note=serializer.validated_data.get("note", ""), by=request.user.email
        )
        return self._answer(invoice)
