"""Invoices, payments and reminders in the master panel. Nothing here is edited as a form:
money fields never change once issued, and every write goes through the services (record a
payment, void), from the invoice's page or the list's actions."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from triboka.admin_actions import apply_to_each
from triboka.errors import ApplicationError

from . import services
from .forms import InvoiceVoidForm, PaymentRecordForm
from .models import Invoice, Payment, Reminder
from .providers import payment_provider


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    fields = ("received_on", "amount_usd", "provider", "reference", "recorded_by", "recorded_at", "notes")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "company_name",
        "license_code",
        "period_start",
        "period_end",
        "total_usd",
        "paid_usd",
        "status",
        "issued_on",
        "due_on",
    )
    list_filter = ("status", "provider", "void_reason")
    search_fields = (
        "number",
        "company_name",
        "company_ruc",
        "company__slug",
        "license_code",
        "payments__reference",
    )
    date_hierarchy = "issued_on"
    list_select_related = ("company", "license")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "status",
                    "company",
                    "company_name",
                    "company_ruc",
                    "license",
                    "license_code",
                )
            },
        ),
        (
            _("Amounts (USD)"),
            {
                "fields": (
                    "period_start",
                    "period_end",
                    "amount_usd",
                    "tax_percent",
                    "tax_usd",
                    "total_usd",
                    "paid_usd",
                )
            },
        ),
        (
            _("Dates and delivery"),
            {
                "fields": (
                    "issued_on",
                    "due_on",
                    "paid_at",
                    "provider",
                    "provider_reference",
                    "issued_by",
                    "sent_to",
                )
            },
        ),
        (_("Void"), {"fields": ("void_reason", "void_note", "voided_by", "voided_at")}),
    )
    readonly_fields = [field.name for field in Invoice._meta.fields]
    inlines = [PaymentInline]
    actions = ["record_payment", "void_selected"]
    change_form_template = "billing/admin/invoice_change_form.html"

    def _may_act(self, request) -> bool:
        """Recording money and voiding need the right to change invoices (every superuser;
        other staff when given the permission)."""
        return request.user.has_perm("billing.change_invoice")

    def get_actions(self, request):
        return super().get_actions(request) if self._may_act(request) else {}

    @admin.action(description=_("Record a payment for the selected invoice"))
    def record_payment(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one invoice to record a payment."), messages.ERROR)
            return None
        return redirect(reverse("admin:billing_invoice_payment", args=[queryset.get().pk]))

    @admin.action(description=_("Void selected invoices"))
    def void_selected(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda invoice: services.invoice_void(invoice=invoice, by=request.user.email),
            lambda n: ngettext("%d invoice void.", "%d invoices void.", n),
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/payment/", wrap(self.payment_view), name="billing_invoice_payment"),
            path("<int:object_id>/void/", wrap(self.void_view), name="billing_invoice_void"),
            *super().get_urls(),
        ]

    def _invoice_or_404(self, request, object_id) -> Invoice:
        invoice = self.get_object(request, unquote(str(object_id)))
        if invoice is None:
            raise Http404
        if not self._may_act(request):
            raise PermissionDenied
        return invoice

    def _form_page(self, request, invoice, form, title, template):
        context = {
            **self.admin_site.each_context(request),
            "title": title % {"number": invoice.number},
            "form": form,
            "invoice": invoice,
            "opts": self.model._meta,
            "object": invoice,
        }
        return TemplateResponse(request, template, context)

    def _done(self, request, invoice, message):
        self.message_user(request, message % {"number": invoice.number}, messages.SUCCESS)
        return redirect(reverse("admin:billing_invoice_change", args=[invoice.pk]))

    def payment_view(self, request, object_id):
        invoice = self._invoice_or_404(request, object_id)
        form = PaymentRecordForm(request.POST or None, invoice=invoice)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            try:
                payment_provider(data.pop("provider")).payment_record(
                    invoice=invoice, recorded_by=request.user.email, **data
                )
            except ValidationError as error:
                form.add_error(None, error)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                return self._done(request, invoice, _("Payment recorded on %(number)s."))
        return self._form_page(
            request, invoice, form, _("Record a payment for %(number)s"), "billing/admin/record_payment.html"
        )

    def void_view(self, request, object_id):
        invoice = self._invoice_or_404(request, object_id)
        form = InvoiceVoidForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.invoice_void(invoice=invoice, note=form.cleaned_data["note"], by=request.user.email)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return self._done(request, invoice, _("Invoice %(number)s is void."))
        return self._form_page(request, invoice, form, _("Void %(number)s"), "billing/admin/void.html")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    """Payments as recorded; they are recorded from their invoice's page."""

    list_display = (
        "reference",
        "invoice",
        "amount_usd",
        "provider",
        "received_on",
        "recorded_by",
        "recorded_at",
    )
    list_filter = ("provider",)
    search_fields = ("reference", "invoice__number", "invoice__company_name", "recorded_by")
    date_hierarchy = "received_on"
    list_select_related = ("invoice",)
    readonly_fields = [field.name for field in Payment._meta.fields]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    """What the daily job told each company about its license's expiry, and to whom."""

    list_display = ("company", "license", "expires_on", "stage", "kind", "invoice", "sent_at")
    list_filter = ("stage", "kind")
    search_fields = ("company__name", "company__slug", "license__code", "invoice__number")
    date_hierarchy = "sent_at"
    list_select_related = ("company", "license", "invoice")
    readonly_fields = [field.name for field in Reminder._meta.fields]
