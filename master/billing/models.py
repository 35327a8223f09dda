"""Invoices of licenses, the payments that settle them, and the reminders sent before a
license expires. All in the public schema: the master panel reads them for every company
(revenue by month and status is one query on Invoice), and an invoice outlives the company
it was issued to.

Money is USD (Ecuador's currency) in Decimal(12, 2). A license's ``price_usd`` is the price
before IVA; the invoice adds the tax rate in force when it is issued (BILLING_TAX_PERCENT)
and keeps that rate, since the rate changes by law (12 % until March 2024, 15 % since).
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2}


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")
    VOID = "void", _("Void")


UNPAID_STATUSES = (InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE)


class VoidReason(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid when the grace period ended")
    STAFF = "staff", _("Voided by staff")


class InvoiceQuerySet(models.QuerySet):
    def unpaid(self):
        return self.filter(status__in=UNPAID_STATUSES)

    def live(self):
        """Every invoice that counts: void ones are kept for the record only."""
        return self.exclude(status=InvoiceStatus.VOID)


class Invoice(models.Model):
    """One billing period of one license, for its company.

    There is no draft state: the daily job (or staff, through the API) issues an invoice in
    one step, numbered and e-mailed. The company's name and RUC, and the license's code, are
    copied as they were at issue: an invoice names its customer even after a change or a
    deletion (company and license then become empty).
    """

    number = models.CharField(_("number"), max_length=20, unique=True)
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoices",
        verbose_name=_("company"),
    )
    company_name = models.CharField(_("customer"), max_length=200)
    company_ruc = models.CharField(_("customer RUC"), max_length=13)
    license = models.ForeignKey(
        "licensing.License",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoices",
        verbose_name=_("license"),
    )
    license_code = models.CharField(_("license code"), max_length=20)
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    amount_usd = models.DecimalField(_("amount (USD)"), **MONEY, validators=[MinValueValidator(0)])
    tax_percent = models.DecimalField(_("IVA (%)"), max_digits=5, decimal_places=2)
    tax_usd = models.DecimalField(_("IVA (USD)"), **MONEY)
    total_usd = models.DecimalField(_("total (USD)"), **MONEY)
    paid_usd = models.DecimalField(_("paid (USD)"), **MONEY, default=0)
    status = models.CharField(
        _("status"), max_length=8, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED
    )
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    provider = models.CharField(_("payment provider"), max_length=32)
    provider_reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    issued_by = models.CharField(_("issued by"), max_length=254, blank=True)  # empty: the daily job
    sent_to = models.JSONField(_("e-mailed to"), default=list, blank=True)
    void_reason = models.CharField(_("void reason"), max_length=8, choices=VoidReason.choices, blank=True)
    void_note = models.CharField(_("void note"), max_length=300, blank=True)
    voided_by = models.CharField(_("voided by"), max_length=254, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            # One invoice per license and period, however many jobs or staff race for it;
            # a void one leaves the period free to be invoiced again.
            models.UniqueConstraint(
                fields=["license", "period_start"],
                condition=~models.Q(status="void"),
                name="billing_one_live_invoice_per_period",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")), name="billing_period_not_empty"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_usd__gte=0, tax_usd__gte=0, paid_usd__gte=0),
                name="billing_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(total_usd=models.F("amount_usd") + models.F("tax_usd")),
                name="billing_total_is_amount_plus_tax",
            ),
            models.CheckConstraint(
                condition=models.Q(paid_usd__lte=models.F("total_usd")),
                name="billing_never_paid_beyond_total",
            ),
        ]
        indexes = [
            # Revenue by month and status (the master dashboard) reads this index alone.
            models.Index(fields=["issued_on", "status"], include=["total_usd"], name="billing_month_status"),
            models.Index(fields=["status", "due_on"], name="billing_status_due"),  # the daily job
        ]

    def __str__(self):
        return self.number

    @property
    def balance_usd(self):
        return self.total_usd - self.paid_usd


class InvoiceSequence(models.Model):
    """The last invoice number given out each year.

    Incremented in the transaction that issues the invoice (one upsert, which locks the row
    until commit): numbers follow each other without gaps, since a rolled-back issue gives
    its number back, and two issues at once wait for each other instead of colliding. A
    PostgreSQL sequence would leave gaps on every rollback.
    """

    year = models.PositiveIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("invoice number sequence")
        verbose_name_plural = _("invoice number sequences")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Payment(models.Model):
    """Money received for an invoice, as the provider names it: a bank transfer's reference,
    a card processor's charge id. The same (provider, reference) is never counted twice."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("invoice")
    )
    amount_usd = models.DecimalField(_("amount (USD)"), **MONEY)
    provider = models.CharField(_("payment provider"), max_length=32)
    reference = models.CharField(_("reference"), max_length=100)
    received_on = models.DateField(_("received on"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.CharField(_("recorded by"), max_length=254, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "reference"], name="billing_one_payment_per_reference"
            ),
            models.CheckConstraint(condition=models.Q(amount_usd__gt=0), name="billing_payment_positive"),
        ]

    def __str__(self):
        return f"{self.invoice.number}: {self.reference}"


class ReminderStage(models.IntegerChoices):
    """Days before the expiry a reminder goes out; CLOSED is the notice once the grace period
    has ended and the site is closed."""

    DAYS_30 = 30, _("30 days before expiry")
    DAYS_7 = 7, _("7 days before expiry")
    DAYS_1 = 1, _("1 day before expiry")
    CLOSED = 0, _("Site closed after the grace period")


REMINDER_DAYS = (ReminderStage.DAYS_1, ReminderStage.DAYS_7, ReminderStage.DAYS_30)


class ReminderKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice e-mailed")
    PAY = "pay", _("Pay the renewal invoice")
    RENEW = "renew", _("Ask to renew")
    CLOSED = "closed", _("Site closed")


class Reminder(models.Model):
    """A notice about a license's expiry e-mailed to its company's administrators, once per
    license, expiry date and stage: the row is written in the transaction that sends it."""

    license = models.ForeignKey(
        "licensing.License", on_delete=models.CASCADE, related_name="reminders", verbose_name=_("license")
    )
    company = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, related_name="reminders", verbose_name=_("company")
    )
    expires_on = models.DateField(_("license expires on"))
    stage = models.PositiveSmallIntegerField(_("stage"), choices=ReminderStage.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=ReminderKind.choices)
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("invoice"),
    )
    sent_to = models.JSONField(_("e-mailed to"), default=list, blank=True)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["license", "expires_on", "stage"], name="billing_one_reminder_per_stage"
            )
        ]

    def __str__(self):
        return f"{self.license_id} {self.expires_on} {self.get_stage_display()}"
