"""Money of a company's trade in USD: costs laid on lots and shipments, payments to suppliers
for their receptions and from buyers for their shipments. Amounts are stored to the cent;
what is computed from them (unit costs, margins) stays exact until it is shown."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from erp.export.models import Shipment
from erp.lots.models import Lot
from erp.reception.models import Reception

POSITIVE = [MinValueValidator(Decimal("0.01"))]


def _money(label):
    return models.DecimalField(label, max_digits=14, decimal_places=2, validators=POSITIVE)


class CostKind(models.TextChoices):
    TRANSPORT = "transport", pgettext_lazy("cost", "Transport")
    PROCESSING = "processing", _("Processing")
    STORAGE = "storage", _("Storage")
    EXPORT = "export", _("Export")
    FINANCIAL = "financial", _("Financial")
    OTHER = "other", _("Other")


class Cost(models.Model):
    """A cost laid on one lot (it then follows the lot's kilograms through splits and blends)
    or on one shipment, never both."""

    kind = models.CharField(_("kind"), max_length=12, choices=CostKind.choices)
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="costs", verbose_name=_("lot")
    )
    shipment = models.ForeignKey(
        Shipment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="costs",
        verbose_name=_("shipment"),
    )
    amount_usd = _money(_("amount (USD)"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    incurred_on = models.DateField(_("incurred on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("cost")
        verbose_name_plural = _("costs")
        ordering = ["-incurred_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lot__isnull=False, shipment__isnull=True)
                | models.Q(lot__isnull=True, shipment__isnull=False),
                name="finance_cost_lot_or_shipment",
            ),
            models.CheckConstraint(condition=models.Q(amount_usd__gt=0), name="finance_cost_positive"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount_usd} USD"


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")


class SupplierPayment(models.Model):
    """A payment (whole or partial) of a reception to its supplier: a record, never edited."""

    reception = models.ForeignKey(
        Reception, on_delete=models.PROTECT, related_name="payments", verbose_name=_("reception")
    )
    amount_usd = _money(_("amount (USD)"))
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("supplier payment")
        verbose_name_plural = _("supplier payments")
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_usd__gt=0), name="finance_supplier_payment_positive"
            )
        ]

    def __str__(self):
        return f"{self.reception} {self.amount_usd} USD"


class BuyerPayment(models.Model):
    """Money received from the buyer for a shipment: a record, never edited."""

    shipment = models.ForeignKey(
        Shipment, on_delete=models.PROTECT, related_name="buyer_payments", verbose_name=_("shipment")
    )
    amount_usd = _money(_("amount (USD)"))
    received_on = models.DateField(_("received on"))
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("buyer payment")
        verbose_name_plural = _("buyer payments")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_usd__gt=0), name="finance_buyer_payment_positive"
            )
        ]

    def __str__(self):
        return f"{self.shipment} {self.amount_usd} USD"
