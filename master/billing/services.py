"""Writes of billing: issue an invoice, record a payment, void an invoice.

The daily job (renewals.py), Django Admin and the master API all call these. Each raises
ValidationError keyed by field for bad input and then saves nothing.

Renewal happens when the payment that settles an invoice is recorded, in the same
transaction: an invoice is never paid without its license running to the end of the paid
period, and recording the same payment twice is refused, so a license is never renewed
twice for one invoice. The license then expires at the end of the invoiced period (not "a
period from today", as licensing's license_renew counts when the expiry has passed): a
client who pays late, during the grace period, pays for the period on the invoice and gets
exactly that period.
"""

import logging
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from master.licensing.models import BillingPeriod, License, LicenseStatus
from master.licensing.services import add_months, license_update
from master.platform.services import system_settings
from triboka.audit.models import AuditAction
from triboka.audit.services import audit_record

from . import events
from .emails import company_email_send
from .models import (
    REMINDER_DAYS,
    Invoice,
    InvoiceSequence,
    InvoiceStatus,
    Payment,
    Reminder,
    ReminderKind,
    VoidReason,
)
from .providers import default_provider, payment_provider

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")


def invoice_number_next(year: int) -> str:
    """The next number of ``year``, e.g. TRB-2026-000123. Call it inside the transaction
    that saves the invoice (see InvoiceSequence: no gaps, no collisions)."""
    table = connection.ops.quote_name(InvoiceSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last_number) VALUES (%s, 1) "
            f"ON CONFLICT (year) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [year],
        )
        number = cursor.fetchone()[0]
    return f"{settings.BILLING_INVOICE_PREFIX}-{year}-{number:06d}"


def tax_of(amount_usd: Decimal, percent: Decimal) -> Decimal:
    return (amount_usd * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def period_after(license: License) -> tuple[date, date]:
    """The billing period that follows the license's expiry."""
    months = 12 if license.billing_period == BillingPeriod.YEARLY else 1
    return license.expires_on, add_months(license.expires_on, months)


def reminder_stage_for(days_left: int) -> int | None:
    """The reminder due with ``days_left`` days to the expiry: the nearest of 30/7/1 not yet
    passed, so a reminder the job missed (a day it did not run) still goes out, once."""
    return next((stage for stage in REMINDER_DAYS if 0 <= days_left <= stage), None)


def _invoiceable_license(license: License, *, today: date) -> License:
    """The license, locked, after checking it can be invoiced for its next period."""
    license = License.objects.select_for_update(of=("self",)).select_related("company").get(pk=license.pk)
    if (
        license.expires_on
        and license.expires_on + timedelta(days=system_settings().license_grace_days) < today
    ):
        # Its period's invoice would be void by the next daily run as unpaid past the grace.
        raise ValidationError(
            {
                "license": _(
                    "This license expired on %(day)s and its grace period has ended: give it a new "
                    "expiry (extend or edit the license) before invoicing its next period."
                )
                % {"day": formats.date_format(license.expires_on, "DATE_FORMAT")}
            }
        )
    if license.company is None:
        raise ValidationError({"license": _("This license is not assigned to a company.")})
    if license.expires_on is None:
        raise ValidationError({"license": _("This license does not expire; there is nothing to invoice.")})
    if license.status != LicenseStatus.ACTIVE:
        raise ValidationError({"license": _("This license is suspended; reactivate it before invoicing.")})
    existing = Invoice.objects.live().filter(license=license, period_start=license.expires_on).first()
    if existing is not None:
        raise ValidationError(
            {"license": _("Invoice %(number)s already covers this period.") % {"number": existing.number}}
        )
    return license


@transaction.atomic
def invoice_issue(*, license: License, issued_by: str = "", today: date | None = None) -> Invoice:
    """Invoice the license's next period (from its expiry) to its company and e-mail it to
    the company's administrators. An invoice of nothing (a free license) is issued paid,
    renews the license at once and is not e-mailed."""
    today = today or timezone.localdate()
    license = _invoiceable_license(license, today=today)
    company = license.company
    period_start, period_end = period_after(license)
    percent = Decimal(settings.BILLING_TAX_PERCENT)
    tax = tax_of(license.price_usd, percent)
    invoice = Invoice(
        number=invoice_number_next(today.year),
        company=company,
        company_name=company.name,
        company_ruc=company.ruc,
        license=license,
        license_code=license.code,
        period_start=period_start,
        period_end=period_end,
        amount_usd=license.price_usd,
        tax_percent=percent,
        tax_usd=tax,
        total_usd=license.price_usd + tax,
        issued_on=today,
        due_on=today + timedelta(days=settings.BILLING_PAYMENT_DAYS),
        provider=default_provider().name,
        issued_by=issued_by,
    )
    invoice.full_clean()
    invoice.save()
    if invoice.total_usd == 0:
        _invoice_settle(invoice)
        return invoice
    invoice.sent_to = _invoice_email(invoice, license=license, today=today)
    invoice.save(update_fields=["sent_to", "updated_at"])
    logger.info("Issued invoice %s to %s for %s", invoice.number, company.slug, license.code)
    return invoice


def _invoice_email(invoice: Invoice, *, license: License, today: date) -> list[str]:
    """The invoice e-mail; with the expiry within 30 days it is also that stage's reminder
    (a row of kind "invoice"), so the client does not get two e-mails the same day."""
    days_left = (license.expires_on - today).days
    sent_to = company_email_send(
        company=license.company,
        template="billing/email/invoice.txt",
        subject=gettext_lazy("Triboka invoice %(number)s: %(company)s"),
        subject_params={"number": invoice.number, "company": invoice.company_name},
        context={"invoice": invoice, "license": license, "days_left": days_left},
    )
    stage = reminder_stage_for(days_left)
    if stage is not None and not _reminded(license, stage):
        Reminder.objects.create(
            license=license,
            company=license.company,
            expires_on=license.expires_on,
            stage=stage,
            kind=ReminderKind.INVOICE,
            invoice=invoice,
            sent_to=sent_to,
        )
        transaction.on_commit(partial(events.license_expiring, license, days_left=days_left))
    return sent_to


def _reminded(license: License, stage: int) -> bool:
    return Reminder.objects.filter(license=license, expires_on=license.expires_on, stage=stage).exists()


def _payment_checked(invoice: Invoice, *, amount_usd, reference: str, received_on: date) -> None:
    errors = {}
    if invoice.status == InvoiceStatus.PAID:
        errors[NON_FIELD_ERRORS] = [_("Invoice %(number)s is already paid.") % {"number": invoice.number}]
    elif invoice.status == InvoiceStatus.VOID:
        errors[NON_FIELD_ERRORS] = [
            _("Invoice %(number)s is void; it takes no payments.") % {"number": invoice.number}
        ]
    elif not isinstance(amount_usd, Decimal) or amount_usd <= 0 or amount_usd != amount_usd.quantize(CENT):
        errors["amount_usd"] = [_("Enter an amount above zero, in dollars and cents.")]
    elif amount_usd > invoice.balance_usd:
        errors["amount_usd"] = [
            _(
                "The balance due on %(number)s is USD %(balance)s; record at most that. "
                "Any excess is returned to the client, not kept as credit."
            )
            % {"number": invoice.number, "balance": formats.number_format(invoice.balance_usd, 2)}
        ]
    if not reference:
        errors["reference"] = [_("Enter the payment's reference (the bank's number of the transfer).")]
    if received_on > timezone.localdate():
        errors["received_on"] = [_("A payment cannot be received in the future.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def payment_record(
    *,
    invoice: Invoice,
    provider: str,
    amount_usd: Decimal,
    reference: str,
    received_on: date | None = None,
    recorded_by: str = "",
    notes: str = "",
) -> Payment:
    """Record money received for the invoice. Less than the balance leaves it unpaid (issued
    or overdue) with the rest due; the payment that completes it marks it paid and renews
    the license; more than the balance is refused. A (provider, reference) already recorded
    is refused, whichever invoice it was for."""
    payment_provider(provider)  # a known provider, or a field error
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    reference = (reference or "").strip()
    received_on = received_on or timezone.localdate()
    _payment_checked(invoice, amount_usd=amount_usd, reference=reference, received_on=received_on)
    duplicate = {"reference": [_("A payment with this reference is already recorded.")]}
    if Payment.objects.filter(provider=provider, reference=reference).exists():
        raise ValidationError(duplicate)
    try:
        with transaction.atomic():  # a race with the same reference: the loser is told
            payment = Payment.objects.create(
                invoice=invoice,
                amount_usd=amount_usd,
                provider=provider,
                reference=reference,
                received_on=received_on,
                recorded_by=recorded_by,
                notes=notes,
            )
    except IntegrityError as error:
        raise ValidationError(duplicate) from error
    invoice.paid_usd += amount_usd
    invoice.save(update_fields=["paid_usd", "updated_at"])
    audit_record(
        action=AuditAction.PAYMENT_RECORDED,
        target=payment,
        company=invoice.company,
        after={
            "invoice": invoice.number,
            "amount_usd": amount_usd,
            "provider": provider,
            "reference": reference,
        },
        platform=True,
    )
    if invoice.paid_usd == invoice.total_usd:
        _invoice_settle(invoice)
    logger.info("Payment %s of %s recorded on %s", reference, amount_usd, invoice.number)
    return payment


def _invoice_settle(invoice: Invoice) -> None:
    """Paid in full: mark it, renew the license to the end of the period, thank the client."""
    invoice.status = InvoiceStatus.PAID
    invoice.paid_at = timezone.now()
    invoice.save(update_fields=["status", "paid_at", "updated_at"])
    license = _license_renew_for(invoice)
    if invoice.total_usd > 0 and invoice.company is not None:
        # After commit, and a mail failure only logged: the payment is what counts.
        transaction.on_commit(partial(_receipt_send, invoice, license), robust=True)
    transaction.on_commit(partial(events.invoice_paid, invoice))


def _receipt_send(invoice: Invoice, license: License | None) -> None:
    company_email_send(
        company=invoice.company,
        template="billing/email/invoice_paid.txt",
        subject=gettext_lazy("Payment received: invoice %(number)s"),
        subject_params={"number": invoice.number},
        context={"invoice": invoice, "license": license},
    )


def _license_renew_for(invoice: Invoice) -> License | None:
    """Run the license to the end of the paid period, unless it already runs that far or
    has since moved to another company (then staff decide). Idempotent."""
    if invoice.license_id is None:
        return None
    license = License.objects.select_for_update().get(pk=invoice.license_id)
    if (
        license.company_id == invoice.company_id
        and license.expires_on is not None
        and invoice.period_start <= license.expires_on < invoice.period_end
    ):
        license_update(license=license, expires_on=invoice.period_end)
        logger.info(
            "License %s renewed to %s by invoice %s", license.code, invoice.period_end, invoice.number
        )
    return license


@transaction.atomic
def invoice_void(
    *, invoice: Invoice, reason: str = VoidReason.STAFF, note: str = "", by: str = ""
) -> Invoice:
    """Cancel an unpaid invoice (payments already recorded on it stay recorded). Its period
    may then be invoiced again through the API; the daily job does not do it by itself."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status == InvoiceStatus.PAID:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _("Invoice %(number)s is paid; it cannot be void.") % {"number": invoice.number}
                ]
            }
        )
    if invoice.status == InvoiceStatus.VOID:
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("Invoice %(number)s is already void.") % {"number": invoice.number}]}
        )
    invoice.status = InvoiceStatus.VOID
    invoice.void_reason = reason
    invoice.void_note = note[:300]
    invoice.voided_by = by
    invoice.voided_at = timezone.now()
    invoice.save(update_fields=["status", "void_reason", "void_note", "voided_by", "voided_at", "updated_at"])
    audit_record(
        action=AuditAction.INVOICE_VOIDED,
        target=invoice,
        company=invoice.company,
        after={"status": invoice.status, "void_reason": reason, "void_note": invoice.void_note},
        platform=True,
    )
    return invoice
