from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from erp.partners.models import Partner
from erp.softdelete import SoftDeleteModel, TimestampedModel


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    IN_EXECUTION = "in_execution", _("In execution")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")


# The workflow: each status and where it may go next.
TRANSITIONS = {
    ContractStatus.DRAFT: {ContractStatus.ACTIVE, ContractStatus.CANCELLED},
    ContractStatus.ACTIVE: {ContractStatus.IN_EXECUTION, ContractStatus.CANCELLED},
    ContractStatus.IN_EXECUTION: {ContractStatus.FULFILLED, ContractStatus.CANCELLED},
    ContractStatus.FULFILLED: set(),
    ContractStatus.CANCELLED: set(),
}
OPEN_STATUSES = [ContractStatus.DRAFT, ContractStatus.ACTIVE, ContractStatus.IN_EXECUTION]
DELIVERING_STATUSES = [ContractStatus.ACTIVE, ContractStatus.IN_EXECUTION]


class PriceType(models.TextChoices):
    FIXED = "fixed", _("Fixed price (USD/TM)")
    DIFFERENTIAL = "differential", _("Differential over the reference (to be fixed)")


class Variety(models.TextChoices):
    NACIONAL = "nacional", _("Nacional (fine flavour)")
    CCN51 = "ccn51", "CCN-51"
    OTHER = "other", _("Other")


class Contract(TimestampedModel, SoftDeleteModel):
    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    exporter = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="contracts_as_exporter",
        verbose_name=_("exporter"),
    )
    counterparty = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="contracts_as_counterparty",
        verbose_name=_("counterparty"),
    )
    variety = models.CharField(_("variety"), max_length=16, choices=Variety.choices, default=Variety.NACIONAL)
    signed_on = models.DateField(_("signing date"), null=True, blank=True)
    volume_tm = models.DecimalField(
        _("volume (TM)"),
        max_digits=12,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    price_type = models.CharField(_("price type"), max_length=16, choices=PriceType.choices)
    price_usd_per_tm = models.DecimalField(
        _("price (USD/TM)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    differential_usd_per_tm = models.DecimalField(
        _("differential (USD/TM)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Below the reference; negative for a premium."),
    )
    quality_terms = models.TextField(_("quality terms"), blank=True)
    delivery_from = models.DateField(_("delivery from"))
    delivery_to = models.DateField(_("delivery to"))
    status = models.CharField(
        _("status"), max_length=16, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["counterparty", "status"]),
            models.Index(
                fields=["-created_at", "-id"],
                name="contract_live_recent_idx",
                condition=models.Q(deleted_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.code

    def clean(self):
        super().clean()
        errors = {}
        if self.price_type == PriceType.FIXED and self.price_usd_per_tm is None:
            errors["price_usd_per_tm"] = _("A fixed-price contract needs its price in USD/TM.")
        if self.price_type == PriceType.DIFFERENTIAL and self.differential_usd_per_tm is None:
            errors["differential_usd_per_tm"] = _("A differential contract needs its differential.")
        if self.delivery_from and self.delivery_to and self.delivery_from > self.delivery_to:
            errors["delivery_to"] = _("The delivery window ends before it starts.")
        if self.exporter_id and self.exporter.kind != "exporter":
            errors["exporter"] = _("The exporter side must be a partner of kind exporter.")
        if self.exporter_id and self.exporter_id == self.counterparty_id:
            errors["counterparty"] = _("The counterparty must differ from the exporter.")
        if errors:
            raise ValidationError(errors)

    @property
    def allowed_transitions(self) -> list[str]:
        return sorted(TRANSITIONS[ContractStatus(self.status)])


class CodeSequence(models.Model):
    """The last number given out per prefix and year: CT-2026-0001, LT-2026-00001, ..."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="code_sequence_prefix_year")]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last_number}"
