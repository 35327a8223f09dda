from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from erp.contracts.models import Contract, Variety
from erp.partners.models import Partner
from erp.softdelete import AliveManager, AliveQuerySet, SoftDeleteModel, TimestampedModel
from erp.units import kg_to_qq, kg_to_tm


class LotStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    DRYING = "drying", _("Drying")
    DRIED = "dried", _("Dried")
    STORED = "stored", _("Stored")
    DISPATCHED = "dispatched", _("Dispatched")
    REJECTED = "rejected", _("Rejected")


class ProductForm(models.TextChoices):
    """DOMAIN.md: cacao en baba is fresh wet beans in pulp; seco is fermented and dried."""

    WET = "baba", _("Wet (en baba)")
    DRY = "seco", _("Dry (seco)")


class Grade(models.TextChoices):
    """Commercial grades of INEN 176 (erp/quality/grades.py holds their thresholds)."""

    ASSPS = "assps", "ASSPS"
    ASSS = "asss", "ASSS"
    ASS = "ass", "ASS"
    ASN = "asn", "ASN"
    ASE = "ase", "ASE"
    CCN51 = "ccn51", "CCN-51"
    OFF_GRADE = "off_grade", _("Off grade")


IN_STOCK_STATUSES = [LotStatus.RECEIVED, LotStatus.DRYING, LotStatus.DRIED, LotStatus.STORED]


class LotQuerySet(AliveQuerySet):
    def in_stock(self):
        return self.filter(status__in=IN_STOCK_STATUSES)

    def delivered_to_contracts(self):
        return self.exclude(status=LotStatus.REJECTED).filter(contract__isnull=False)


class LotManager(AliveManager.from_queryset(LotQuerySet)):
    pass


class Lot(TimestampedModel, SoftDeleteModel):
    code = models.CharField(_("code"), max_length=40, unique=True)
    owner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="lots", verbose_name=_("owner"))
    contract = models.ForeignKey(
        Contract,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lots",
        verbose_name=_("contract"),
    )
    variety = models.CharField(_("variety"), max_length=16, choices=Variety.choices, default=Variety.NACIONAL)
    form = models.CharField(_("form"), max_length=8, choices=ProductForm.choices, default=ProductForm.DRY)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    weight_kg = models.DecimalField(
        _("weight (kg)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    humidity_percent = models.DecimalField(
        _("humidity (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=LotStatus.choices, default=LotStatus.RECEIVED
    )
    received_on = models.DateField(_("received on"), null=True, blank=True)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)

    objects = LotManager()
    all_objects = LotQuerySet.as_manager()

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["contract", "status"]),
            models.Index(fields=["status"]),
            # The default list: newest live lots first, without sorting the whole table.
            models.Index(
                fields=["-created_at", "-id"],
                name="lot_live_recent_idx",
                condition=models.Q(deleted_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def weight_qq(self):
        return kg_to_qq(self.weight_kg)

    @property
    def weight_tm(self):
        return kg_to_tm(self.weight_kg)


class LotEventAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ASSIGNED = "assigned", _("Assigned to a contract")
    UNASSIGNED = "unassigned", _("Removed from a contract")
    DELETED = "deleted", _("Deleted")
    RESTORED = "restored", _("Restored")
    MEASURED = "measured", _("Measured by a device")
    RECEIVED = "received", _("Received at the scale")
    ANALYSED = "analysed", _("Quality analysis")
    FERMENTED = "fermented", _("Fermentation")
    DRIED = "dried", _("Drying")
    SPLIT = "split", _("Split")
    MERGED = "merged", _("Merged")
    MOVED = "moved", _("Stock movement")


class LotEvent(models.Model):
    """One entry of a lot's traceability timeline: who did what, when."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=LotEventAction.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Where a change came from when no user made it: "device Báscula 1 (serial SN-1)".
    source = models.CharField(_("source"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lot event")
        verbose_name_plural = _("lot events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.lot_id} {self.action}"


class LotLinkKind(models.TextChoices):
    SPLIT = "split", _("Split")
    MERGE = "merge", _("Merge")


class LotLink(models.Model):
    """One edge of the genealogy: ``kg`` of ``parent`` went into ``child``."""

    parent = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="child_links")
    child = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="parent_links")
    kind = models.CharField(_("kind"), max_length=8, choices=LotLinkKind.choices)
    kg = models.DecimalField(_("kg"), max_digits=12, decimal_places=2)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lot link")
        verbose_name_plural = _("lot links")
        constraints = [models.UniqueConstraint(fields=["parent", "child"], name="lot_link_parent_child")]
        indexes = [models.Index(fields=["child", "parent"], name="lot_link_child_idx")]

    def __str__(self):
        return f"{self.parent_id} -> {self.child_id}"
