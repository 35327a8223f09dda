from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from erp.contracts.models import PriceType, Variety
from erp.softdelete import AliveManager, AliveQuerySet, SoftDeleteModel, TimestampedModel


class DemandQuerySet(AliveQuerySet):
    def open_on(self, day):
        return self.filter(valid_from__lte=day, valid_to__gte=day)


class DemandManager(AliveManager.from_queryset(DemandQuerySet)):
    pass


class Demand(TimestampedModel, SoftDeleteModel):
    """What the exporter wants to buy each month: how centers and suppliers see it."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    tm_wanted = models.DecimalField(
        _("TM wanted"), max_digits=12, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    variety = models.CharField(_("variety"), max_length=16, choices=Variety.choices, default=Variety.NACIONAL)
    contract_type = models.CharField(_("contract type"), max_length=16, choices=PriceType.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = DemandManager()
    all_objects = DemandQuerySet.as_manager()

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demand")
        ordering = ["-month", "-id"]

    def __str__(self):
        return f"{self.month:%Y-%m}: {self.tm_wanted} TM"

    def clean(self):
        super().clean()
        errors = {}
        if self.month and self.month.day != 1:
            errors["month"] = _("Give the first day of the month.")
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            errors["valid_to"] = _("The validity ends before it starts.")
        if errors:
            raise ValidationError(errors)


class FobPrice(TimestampedModel):
    """Monthly FOB reference price of cacao in USD per TM, by source."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    usd_per_tm = models.DecimalField(
        _("USD/TM"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    source = models.CharField(_("source"), max_length=100)

    class Meta:
        verbose_name = _("FOB reference price")
        verbose_name_plural = _("FOB reference prices")
        ordering = ["-year", "-month", "source"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month", "source"], name="fob_unique_month_source")
        ]

    def __str__(self):
        return f"{self.year}-{self.month:02d} {self.source}: {self.usd_per_tm}"
