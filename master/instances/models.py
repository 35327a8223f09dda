import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LicenseState(models.TextChoices):
    """What an installation says of its license file."""

    ACTIVE = "active", _("Active")
    READ_ONLY = "read_only", _("Expired, read-only")
    EXPIRED = "expired", _("Expired")
    MISSING = "missing", _("No license file")


class HeartbeatState(models.TextChoices):
    NEVER = "never", _("Never seen")
    STALE = "stale", _("Stale")
    UNHEALTHY = "unhealthy", _("Unhealthy")
    HEALTHY = "healthy", _("Healthy")


def stale_before(now: datetime | None = None) -> datetime:
    """A heartbeat older than this is stale."""
    return (now or timezone.now()) - timedelta(minutes=settings.INSTANCE_STALE_MINUTES)


class InstanceQuerySet(models.QuerySet):
    def stale(self, now: datetime | None = None):
        """Never seen, or silent for INSTANCE_STALE_MINUTES."""
        return self.filter(
            models.Q(last_heartbeat_at__isnull=True) | models.Q(last_heartbeat_at__lt=stale_before(now))
        )

    def fresh(self, now: datetime | None = None):
        return self.filter(last_heartbeat_at__gte=stale_before(now))


class Instance(models.Model):
    """An on-premise installation of Triboka that reports to the master.

    It proves each heartbeat with its own Ed25519 key; the master keeps only the public
    half, so the master's database holds nothing that could forge a heartbeat.
    """

    uid = models.UUIDField(_("instance id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100, unique=True)
    license = models.ForeignKey(
        "licensing.License",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="instances",
        verbose_name=_("license"),
    )
    public_key = models.CharField(_("public key"), max_length=64, editable=False)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("A deactivated instance's heartbeats are refused.")
    )
    registered_by = models.CharField(_("registered by"), max_length=254, blank=True)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    # The master's clock when the last heartbeat arrived; the instance's clock when it was
    # sent (a heartbeat not newer than that one is a replay).
    last_heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("last heartbeat sent at"), null=True, blank=True)
    reported_version = models.CharField(_("version"), max_length=32, blank=True)
    reported_license_code = models.CharField(_("license code reported"), max_length=20, blank=True)
    reported_license_state = models.CharField(
        _("license state reported"), max_length=16, choices=LicenseState.choices, blank=True
    )
    reported_healthy = models.BooleanField(_("healthy"), null=True, blank=True)
    reported_health = models.JSONField(_("health checks"), default=dict, blank=True)

    objects = InstanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("instance")
        verbose_name_plural = _("instances")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        from master.licensing.models import LicenseType

        if self.license is not None and self.license.type != LicenseType.VPS:
            raise ValidationError(
                {
                    "license": _("An instance runs an on-premise (VPS) license; this one is %(type)s.")
                    % {"type": self.license.get_type_display()}
                }
            )

    def is_stale(self, now: datetime | None = None) -> bool:
        return self.last_heartbeat_at is None or self.last_heartbeat_at < stale_before(now)

    def heartbeat_state(self, now: datetime | None = None) -> str:
        if self.last_heartbeat_at is None:
            return HeartbeatState.NEVER
        if self.is_stale(now):
            return HeartbeatState.STALE
        return HeartbeatState.HEALTHY if self.reported_healthy else HeartbeatState.UNHEALTHY

    @property
    def license_matches(self) -> bool | None:
        """Does the installation run the license it was registered for? None before any report."""
        if not self.reported_license_code or self.license is None:
            return None
        return self.reported_license_code == self.license.code
