"""Devices and their readings, in each company's schema.

A reading's identity is (device, key): the device's own message id, or a hash of the device,
the measured-at time and the values. A unique constraint on it, not a Python check, keeps a
reading sent five times at once to one row.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from erp.lots.models import Lot
from erp.partners.models import Partner
from erp.softdelete import TimestampedModel
from erp.units import kg_to_qq

from .line_patterns import line_pattern


class DeviceKind(models.TextChoices):
    SCALE = "scale", _("Scale")
    MOISTURE_METER = "moisture_meter", _("Moisture meter")
    COMBINED = "combined", _("Scale with moisture meter")
    PLC = "plc", _("PLC / data logger")


class Transport(models.TextChoices):
    REST = "rest", _("REST API")
    CSV = "csv", _("CSV file")
    SERIAL = "serial", _("RS232 serial")
    MQTT = "mqtt", _("MQTT")


class DeviceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Device(TimestampedModel):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=DeviceKind.choices, default=DeviceKind.SCALE)
    serial_number = models.CharField(_("serial number"), max_length=80, unique=True)
    location = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("location (collection center)"),
    )
    transport = models.CharField(
        _("transport"), max_length=8, choices=Transport.choices, default=Transport.REST
    )
    capacity_kg = models.DecimalField(
        _("capacity (kg)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Readings above it are refused. Empty: no limit."),
    )
    calibrated_on = models.DateField(_("calibrated on"), null=True, blank=True)
    calibration_factor = models.DecimalField(
        _("calibration factor"),
        max_digits=8,
        decimal_places=6,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("1.5"))],
        help_text=_("Weights the device sends are multiplied by it (1 = as sent)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    # The credential: "<prefix>.<secret>"; the prefix finds the device, the secret's SHA-256
    # proves it (a random 256-bit secret needs no slow hash). Shown once, never stored.
    key_prefix = models.CharField(max_length=16, unique=True, null=True, blank=True, editable=False)
    key_hash = models.CharField(max_length=64, blank=True, editable=False)
    key_created_at = models.DateTimeField(_("key created at"), null=True, blank=True, editable=False)
    csv_columns = models.JSONField(
        _("CSV column map"),
        default=dict,
        blank=True,
        help_text=_('Column names of its files, e.g. {"date": "Fecha", "weight": "Peso neto"}.'),
    )
    serial_pattern = models.CharField(
        _("serial line pattern"),
        max_length=300,
        blank=True,
        help_text=_("A regular expression for its indicator's lines; empty: the common ST,GS,+ 1234.5 kg."),
    )

    objects = DeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    @property
    def has_key(self) -> bool:
        return bool(self.key_prefix)

    def clean(self):
        try:
            line_pattern(self.serial_pattern)
        except ValueError as error:
            raise ValidationError({"serial_pattern": str(error)}) from None
        if not isinstance(self.csv_columns, dict) or not all(
            isinstance(value, str) for value in self.csv_columns.values()
        ):
            raise ValidationError({"csv_columns": _('Name each column, e.g. {"weight": "Peso neto"}.')})


class Reading(models.Model):
    # No single-column indexes on the foreign keys: the composite indexes below start with
    # them, and each extra index cost ~12 % of a million-row import (bench/iot_ingest.py).
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, related_name="readings", verbose_name=_("device"), db_index=False
    )
    lot = models.ForeignKey(
        Lot,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="readings",
        verbose_name=_("lot"),
        db_index=False,
    )
    key = models.CharField(_("idempotency key"), max_length=80)
    gross_kg = models.DecimalField(_("gross (kg)"), max_digits=12, decimal_places=2, null=True, blank=True)
    tare_kg = models.DecimalField(_("tare (kg)"), max_digits=12, decimal_places=2, null=True, blank=True)
    net_kg = models.DecimalField(_("net (kg)"), max_digits=12, decimal_places=2, null=True, blank=True)
    moisture_percent = models.DecimalField(
        _("moisture (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    temperature_c = models.DecimalField(
        _("temperature (°C)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    measured_at = models.DateTimeField(_("measured at"))
    received_at = models.DateTimeField(_("received at"))
    origin = models.CharField(_("origin"), max_length=8, choices=Transport.choices)
    raw = models.JSONField(_("raw payload"), default=dict, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        ordering = ["-measured_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["device", "key"], name="iot_reading_once_per_key"),
            models.CheckConstraint(
                condition=models.Q(net_kg__isnull=True) | models.Q(net_kg__gt=0),
                name="iot_reading_net_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(moisture_percent__isnull=True)
                | models.Q(moisture_percent__gte=0, moisture_percent__lte=100),
                name="iot_reading_moisture_range",
            ),
        ]
        indexes = [
            models.Index(fields=["device", "-measured_at"], name="iot_reading_device_idx"),
            models.Index(fields=["lot", "-measured_at"], name="iot_reading_lot_idx"),
            models.Index(fields=["-measured_at", "-id"], name="iot_reading_recent_idx"),
            models.Index(fields=["received_at"], name="iot_reading_received_idx"),
        ]

    def __str__(self):
        return f"{self.device_id}:{self.key}"

    @property
    def net_qq(self):
        return None if self.net_kg is None else kg_to_qq(self.net_kg)


class DeviceError(models.Model):
    """A reading a device sent that was refused (REST, serial, MQTT), for its health figures.
    Rows refused in a CSV file are reported by their import instead."""

    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="errors", verbose_name=_("device")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    origin = models.CharField(_("origin"), max_length=8, choices=Transport.choices)
    message = models.TextField(_("reason"))
    raw = models.JSONField(_("raw payload"), default=dict, blank=True)

    class Meta:
        verbose_name = _("device error")
        verbose_name_plural = _("device errors")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["device", "-at"], name="iot_error_device_idx")]

    def __str__(self):
        return f"{self.device_id} {self.at:%Y-%m-%d %H:%M}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ReadingImport(models.Model):
    """A CSV file of readings and its report: rows added, duplicates, rejected (with the
    first REJECTED_KEPT reasons by line). Large files run in a Celery task that records its
    progress (and resumes from it if a worker dies) in this row."""

    REJECTED_KEPT = 200

    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, related_name="imports", verbose_name=_("device")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file = models.CharField(_("stored file"), max_length=300, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    size_bytes = models.BigIntegerField(_("size (bytes)"), default=0)
    status = models.CharField(
        _("status"), max_length=8, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    bytes_done = models.BigIntegerField(_("bytes read"), default=0)
    lines_done = models.PositiveIntegerField(_("lines read"), default=0)
    added = models.PositiveIntegerField(_("rows added"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicate rows"), default=0)
    rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    rejections = models.JSONField(_("rejected rows"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reading import")
        verbose_name_plural = _("reading imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.original_name

    @property
    def progress_percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return min(99, int(self.bytes_done * 100 / self.size_bytes)) if self.size_bytes else 0


class IotSettings(models.Model):
    """The company's IoT choices (one row)."""

    moisture_limit_percent = models.DecimalField(
        _("moisture limit (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("7.5"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("A lot measured above it notifies its collection center (ISO 2451 allows 7.5 %)."),
    )

    class Meta:
        verbose_name = _("IoT settings")
        verbose_name_plural = _("IoT settings")

    def __str__(self):
        return str(_("IoT settings"))
