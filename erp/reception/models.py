"""Receptions at a collection center and the company's reception settings.

A reception is a financial record: it is never edited. A mistaken one is voided with a
reason (its weight and stock leave the lot again) and typed anew.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from erp.contracts.models import Contract, Variety
from erp.lots.models import Lot, ProductForm
from erp.partners.models import Partner
from erp.units import kg_to_qq, kg_to_tm

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
POSITIVE = [MinValueValidator(Decimal("0.01"))]


class ReceptionSettings(models.Model):
    """The company's reception choices (one row)."""

    standard_moisture_percent = models.DecimalField(
        _("standard moisture (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("7"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("99"))],
        help_text=_("Cacao wetter than this is paid for its dry-matter equivalent (INEN 176: 7 %)."),
    )

    class Meta:
        verbose_name = _("reception settings")
        verbose_name_plural = _("reception settings")

    def __str__(self):
        return str(_("Reception settings"))


class PriceMode(models.TextChoices):
    FIXED = "fixed", _("Fixed price (USD/qq)")
    SPOT = "spot", _("Spot less differential (USD/TM)")
    CONTRACT = "contract", _("Supplier's active contract")


class ReceptionQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(voided_at__isnull=True)


class Reception(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    center = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="receptions_at", verbose_name=_("collection center")
    )
    supplier = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="receptions_from", verbose_name=_("supplier")
    )
    received_at = models.DateTimeField(_("received at"))
    form = models.CharField(_("form"), max_length=8, choices=ProductForm.choices)
    variety = models.CharField(_("variety"), max_length=16, choices=Variety.choices)
    gross_weight_kg = models.DecimalField(
        _("gross (kg)"), max_digits=12, decimal_places=2, validators=POSITIVE
    )
    tare_weight_kg = models.DecimalField(
        _("tare (kg)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    net_weight_kg = models.DecimalField(_("net (kg)"), max_digits=12, decimal_places=2, validators=POSITIVE)
    sacks = models.PositiveIntegerField(_("sacks"), default=0)
    moisture_percent = models.DecimalField(
        _("moisture (%)"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    impurities_percent = models.DecimalField(
        _("impurities (%)"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=PERCENT
    )
    standard_moisture_percent = models.DecimalField(
        _("standard moisture applied (%)"), max_digits=5, decimal_places=2
    )
    moisture_discount_kg = models.DecimalField(_("moisture discount (kg)"), max_digits=12, decimal_places=2)
    impurities_discount_kg = models.DecimalField(
        _("impurities discount (kg)"), max_digits=12, decimal_places=2
    )
    price_mode = models.CharField(_("price mode"), max_length=10, choices=PriceMode.choices)
    spot_usd_per_tm = models.DecimalField(
        _("spot (USD/TM)"), max_digits=12, decimal_places=2, null=True, blank=True, validators=POSITIVE
    )
    differential_usd_per_tm = models.DecimalField(
        _("differential (USD/TM)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receptions",
        verbose_name=_("contract"),
    )
    price_usd_per_qq = models.DecimalField(
        _("price (USD/qq)"), max_digits=12, decimal_places=2, validators=POSITIVE
    )
    paid_weight_kg = models.DecimalField(_("paid weight (kg)"), max_digits=12, decimal_places=2)
    amount_usd = models.DecimalField(_("amount (USD)"), max_digits=14, decimal_places=2)
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="receptions", verbose_name=_("lot"))
    plots = models.ManyToManyField(
        "eudr.Plot", blank=True, related_name="receptions", verbose_name=_("plots of origin")
    )
    reading = models.OneToOneField(
        "iot.Reading",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reception",
        verbose_name=_("scale reading"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    void_reason = models.TextField(_("void reason"), blank=True)

    objects = ReceptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("reception")
        verbose_name_plural = _("receptions")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["center", "-received_at"], name="reception_center_idx"),
            models.Index(fields=["supplier", "-received_at"], name="reception_supplier_idx"),
            models.Index(fields=["-received_at", "-id"], name="reception_recent_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(net_weight_kg__gt=0)
                & models.Q(paid_weight_kg__lte=models.F("net_weight_kg")),
                name="reception_paid_not_above_net",
            ),
            models.CheckConstraint(
                condition=models.Q(moisture_percent__gte=0, moisture_percent__lte=100)
                & models.Q(impurities_percent__gte=0, impurities_percent__lte=100),
                name="reception_percent_range",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    @property
    def net_qq(self) -> Decimal:
        return kg_to_qq(self.net_weight_kg)

    @property
    def paid_qq(self) -> Decimal:
        return kg_to_qq(self.paid_weight_kg)

    @property
    def net_tm(self) -> Decimal:
        return kg_to_tm(self.net_weight_kg)
