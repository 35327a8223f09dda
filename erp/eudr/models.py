"""Plots of origin for the EU Deforestation Regulation (Regulation (EU) 2023/1115).

Records are kept five years (Art. 12(3)): a plot or an evidence file behind a due diligence
statement cannot be deleted before its ``retain_until`` (a database trigger refuses it, as
it refuses changes to the ledger)."""

from datetime import date

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from erp.files import StoredFile
from erp.partners.models import Partner
from triboka.validators import validate_cedula

RETENTION_YEARS = 5
# Art. 2(13): deforestation-free means no deforestation after this date.
DEFORESTATION_CUTOFF = date(2020, 12, 31)


class PlotStatus(models.TextChoices):
    PENDING = "pending", _("Pending verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class GeometryKind(models.TextChoices):
    POINT = "Point", _("Point")
    POLYGON = "Polygon", _("Polygon")
    MULTIPOLYGON = "MultiPolygon", _("Several polygons")


class PlotQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(status=PlotStatus.VERIFIED, deforestation_free=True)


class Plot(models.Model):
    """A supplier's plot (finca) with its geolocation as GeoJSON in WGS84, longitude first:
    a point up to 4 ha, a polygon above (``erp.eudr.geometry``)."""

    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    supplier = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="plots", verbose_name=_("supplier")
    )
    name = models.CharField(_("name"), max_length=120)
    farmer_id = models.CharField(
        _("farmer's cédula"), max_length=10, blank=True, validators=[validate_cedula]
    )
    area_ha = models.DecimalField(
        _("declared area (ha)"), max_digits=10, decimal_places=4, validators=[MinValueValidator(0)]
    )
    geometry = models.JSONField(_("geometry (GeoJSON)"))
    geometry_kind = models.CharField(_("geometry"), max_length=12, choices=GeometryKind.choices)
    measured_area_ha = models.DecimalField(
        _("measured area (ha)"), max_digits=10, decimal_places=4, null=True, blank=True
    )
    centroid_lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    centroid_lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    geometry_warnings = models.JSONField(_("geometry warnings"), default=list, blank=True)
    deforestation_free = models.BooleanField(
        _("declared deforestation-free after 31 Dec 2020"), default=False
    )
    deforestation_declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    status = models.CharField(
        _("verification"), max_length=10, choices=PlotStatus.choices, default=PlotStatus.PENDING
    )
    status_note = models.TextField(_("verification note"), blank=True)
    status_changed_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    retain_until = models.DateField(_("kept until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("plot")
        verbose_name_plural = _("plots")
        ordering = ["supplier_id", "name", "pk"]
        indexes = [models.Index(fields=["supplier", "status"], name="eudr_plot_supplier_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(area_ha__gt=0), name="eudr_plot_area_positive"),
            models.CheckConstraint(
                condition=~models.Q(status=PlotStatus.VERIFIED) | models.Q(deforestation_free=True),
                name="eudr_plot_verified_is_declared",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_verified(self) -> bool:
        return self.status == PlotStatus.VERIFIED and self.deforestation_free


class EvidenceKind(models.TextChoices):
    LAND_TITLE = "land_title", _("Land title or tenure")
    LAND_USE = "land_use", _("Land-use evidence")
    DEFORESTATION = "deforestation", _("No-deforestation evidence (e.g. satellite analysis)")
    LEGALITY = "legality", _("Legality of production")
    OTHER = "other", _("Other")


class PlotEvidence(StoredFile):
    """A document behind a plot's declaration: land title, land use, satellite analysis."""

    plot = models.ForeignKey(Plot, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("plot"))
    kind = models.CharField(_("kind"), max_length=16, choices=EvidenceKind.choices)
    title = models.CharField(_("title"), max_length=160)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    retain_until = models.DateField(_("kept until"), null=True, blank=True)

    class Meta:
        verbose_name = _("plot evidence")
        verbose_name_plural = _("plot evidence")
        ordering = ["plot_id", "-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.plot.code}: {self.title}"
