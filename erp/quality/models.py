from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from erp.contracts.models import Contract
from erp.lots.models import Grade, Lot
from erp.partners.models import Partner

from .grades import CUT_TEST_FIELDS, CutTest, cut_test_percentages

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class SampleSize(models.IntegerChoices):
    """ISO 1114: the cut test is made on 100 or 300 beans."""

    HUNDRED = 100, _("100 beans")
    THREE_HUNDRED = 300, _("300 beans")


class QualityAnalysis(models.Model):
    """A lot's analysis: the cut test (ISO 1114), moisture and bean count; the grade
    (erp/quality/grades.py) and the check against the lot's contract terms are computed by
    the service when it is made and kept as they were."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="analyses", verbose_name=_("lot"))
    analysed_at = models.DateTimeField(_("analysed at"), default=timezone.now)
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    analyst_name = models.CharField(_("analyst"), max_length=120, blank=True)
    sample_size = models.PositiveSmallIntegerField(
        _("sample size (beans)"), choices=SampleSize.choices, default=SampleSize.HUNDRED
    )
    well_fermented = models.PositiveSmallIntegerField(_("well fermented (brown)"))
    partly_fermented = models.PositiveSmallIntegerField(_("partly fermented (violet)"))
    slaty = models.PositiveSmallIntegerField(_("slaty (unfermented)"))
    mouldy = models.PositiveSmallIntegerField(_("mouldy"))
    insect_damaged = models.PositiveSmallIntegerField(_("insect-damaged"))
    germinated = models.PositiveSmallIntegerField(_("germinated"))
    flat = models.PositiveSmallIntegerField(_("flat"))
    moisture_percent = models.DecimalField(
        _("moisture (%)"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    bean_count_per_100g = models.PositiveSmallIntegerField(
        _("beans per 100 g"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices)
    # None when the lot has no contract or its contract has no structured terms.
    passed = models.BooleanField(_("meets the contract's terms"), null=True, blank=True)
    failed_terms = models.JSONField(_("failed terms"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quality analysis")
        verbose_name_plural = _("quality analyses")
        ordering = ["-analysed_at", "-id"]
        indexes = [models.Index(fields=["lot", "-analysed_at"]), models.Index(fields=["grade"])]

    def __str__(self):
        return f"{self.lot_id} {self.analysed_at:%Y-%m-%d} {self.grade}"

    @property
    def counts(self) -> dict:
        return {field: getattr(self, field) for field in CUT_TEST_FIELDS}

    @property
    def cut_test(self) -> CutTest:
        return CutTest(
            counts=self.counts,
            sample_size=self.sample_size,
            moisture_percent=self.moisture_percent,
            bean_count_per_100g=self.bean_count_per_100g,
        )

    @property
    def percentages(self) -> dict:
        return cut_test_percentages(self.counts, self.sample_size)

    @property
    def failing(self) -> bool:
        return self.passed is False


class AnalysisPhoto(models.Model):
    """A photo of the cut beans, stored under the company's prefix, checked by content."""

    analysis = models.ForeignKey(QualityAnalysis, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), max_length=255)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("analysis photo")
        verbose_name_plural = _("analysis photos")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class ContractQualityTerms(models.Model):
    """A contract's quality terms in figures (Contract.quality_terms stays the free text).
    An empty figure is no term."""

    contract = models.OneToOneField(
        Contract, on_delete=models.CASCADE, related_name="quality_terms_figures", verbose_name=_("contract")
    )
    max_moisture_percent = models.DecimalField(
        _("maximum moisture (%)"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    min_well_fermented_percent = models.DecimalField(
        _("minimum well fermented (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    max_slaty_percent = models.DecimalField(
        _("maximum slaty (%)"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    max_mouldy_percent = models.DecimalField(
        _("maximum mouldy (%)"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    max_defective_percent = models.DecimalField(
        _("maximum defective (%)"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    max_bean_count_per_100g = models.PositiveSmallIntegerField(
        _("maximum beans per 100 g"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    minimum_grade = models.CharField(
        _("minimum grade"),
        max_length=16,
        blank=True,
        choices=[(value, label) for value, label in Grade.choices if value != Grade.OFF_GRADE],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contract quality terms")
        verbose_name_plural = _("contract quality terms")

    def __str__(self):
        return str(self.contract)


class CertificateKind(models.TextChoices):
    ORGANIC = "organic", _("Organic")
    FAIRTRADE = "fairtrade", _("Fairtrade")
    RAINFOREST = "rainforest", _("Rainforest Alliance")
    OTHER = "other", _("Own / other")


class CertificateQuerySet(models.QuerySet):
    def valid_on(self, day: date):
        return self.filter(valid_from__lte=day, valid_to__gte=day)

    def expired(self, day: date | None = None):
        return self.filter(valid_to__lt=day or timezone.localdate())


class Certificate(models.Model):
    """A certificate of one lot or of one supplier (partner), never both."""

    lot = models.ForeignKey(
        Lot,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("lot"),
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("supplier"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CertificateKind.choices)
    number = models.CharField(_("number"), max_length=80)
    issuer = models.CharField(_("issuer"), max_length=120)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    file = models.FileField(_("file"), max_length=255, blank=True)
    original_name = models.CharField(_("original name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["valid_to", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lot__isnull=False, partner__isnull=True)
                | Q(lot__isnull=True, partner__isnull=False),
                name="certificate_of_lot_or_partner",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="certificate_dates"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_expired(self) -> bool:
        return self.valid_to < timezone.localdate()
