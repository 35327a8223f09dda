"""Fermentation batches and drying runs of a lot, each with the weight in and out, so the
wet-to-dry conversion factor is measured per lot (DOMAIN.md: roughly 35–40 % of the wet
weight remains), never assumed."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from erp.lots.models import Lot

WEIGHT = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0.01"))]}
PERCENT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
TEMPERATURE_VALIDATORS = [MinValueValidator(Decimal("-10")), MaxValueValidator(Decimal("80"))]

# DOMAIN.md: fermentation typically lasts 4–7 days; shorter or longer is allowed but flagged.
TYPICAL_FERMENTATION_DAYS = (Decimal("4"), Decimal("7"))


def step_yield_percent(weight_in_kg, weight_out_kg) -> Decimal | None:
    """Weight out as a percentage of weight in (two decimals); None while the step is open."""
    if weight_out_kg is None or not weight_in_kg:
        return None
    return (Decimal(weight_out_kg) * 100 / Decimal(weight_in_kg)).quantize(Decimal("0.01"))


class OpenClosedQuerySet(models.QuerySet):
    def open(self):
        return self.filter(ended_at__isnull=True)

    def closed(self):
        return self.filter(ended_at__isnull=False)


class Step(models.Model):
    """What a fermentation batch and a drying run share: a lot, a time span, weights."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+", verbose_name=_("lot"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    weight_in_kg = models.DecimalField(_("weight in (kg)"), **WEIGHT)
    weight_out_kg = models.DecimalField(_("weight out (kg)"), null=True, blank=True, **WEIGHT)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = OpenClosedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-started_at", "-id"]

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def yield_percent(self) -> Decimal | None:
        return step_yield_percent(self.weight_in_kg, self.weight_out_kg)

    @property
    def days(self) -> Decimal:
        """Days from start to end (to now while open), one decimal."""
        end = self.ended_at or timezone.now()
        seconds = Decimal((end - self.started_at).total_seconds())
        return (seconds / 86400).quantize(Decimal("0.1"))


def _step_constraints(prefix: str) -> list:
    return [
        models.CheckConstraint(
            condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
            name=f"{prefix}_ends_after_start",
        ),
        models.CheckConstraint(
            condition=Q(weight_out_kg__isnull=True) | Q(weight_out_kg__lte=F("weight_in_kg")),
            name=f"{prefix}_out_not_above_in",
        ),
        models.CheckConstraint(condition=Q(weight_in_kg__gt=0), name=f"{prefix}_weight_in_positive"),
        models.UniqueConstraint(
            fields=["lot"], condition=Q(ended_at__isnull=True), name=f"{prefix}_one_open_per_lot"
        ),
    ]


class FermentationBatch(Step):
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="fermentations", verbose_name=_("lot")
    )
    box = models.CharField(_("box"), max_length=60, help_text=_("Name or number of the fermentation box."))

    class Meta(Step.Meta):
        verbose_name = _("fermentation batch")
        verbose_name_plural = _("fermentation batches")
        constraints = _step_constraints("fermentation")

    def __str__(self):
        return f"{self.lot} · {self.box}"

    @property
    def outside_typical_days(self) -> bool:
        """A finished batch shorter than 4 or longer than 7 days (or an open one past 7)."""
        low, high = TYPICAL_FERMENTATION_DAYS
        return self.days > high or (not self.is_open and self.days < low)


class FermentationTurn(models.Model):
    batch = models.ForeignKey(FermentationBatch, on_delete=models.CASCADE, related_name="turns")
    at = models.DateTimeField(_("at"))
    temperature_c = models.DecimalField(
        _("temperature (°C)"), max_digits=5, decimal_places=2, validators=TEMPERATURE_VALIDATORS
    )
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("fermentation turn")
        verbose_name_plural = _("fermentation turns")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.batch_id} {self.at:%Y-%m-%d %H:%M}"


class DryingMethod(models.TextChoices):
    SUN = "sun", _("Sun")
    MECHANICAL = "mechanical", _("Mechanical dryer")


class DryingRun(Step):
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="dryings", verbose_name=_("lot"))
    method = models.CharField(
        _("method"), max_length=12, choices=DryingMethod.choices, default=DryingMethod.SUN
    )
    target_moisture_percent = models.DecimalField(
        _("target moisture (%)"), max_digits=5, decimal_places=2, validators=PERCENT_VALIDATORS
    )
    # Finished although the last reading was still above the target: confirmed by the user.
    ended_above_target = models.BooleanField(_("ended above target"), default=False)

    class Meta(Step.Meta):
        verbose_name = _("drying run")
        verbose_name_plural = _("drying runs")
        constraints = _step_constraints("drying")

    def __str__(self):
        return f"{self.lot} · {self.get_method_display()}"


class DryingReading(models.Model):
    run = models.ForeignKey(DryingRun, on_delete=models.CASCADE, related_name="readings")
    at = models.DateTimeField(_("at"))
    moisture_percent = models.DecimalField(
        _("moisture (%)"), max_digits=5, decimal_places=2, validators=PERCENT_VALIDATORS
    )
    temperature_c = models.DecimalField(
        _("temperature (°C)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=TEMPERATURE_VALIDATORS,
    )

    class Meta:
        verbose_name = _("drying reading")
        verbose_name_plural = _("drying readings")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(moisture_percent__gte=0) & Q(moisture_percent__lte=100),
                name="drying_reading_moisture_range",
            )
        ]

    def __str__(self):
        return f"{self.run_id} {self.moisture_percent} %"
