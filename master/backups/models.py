from django.db import models
from django.utils.translation import gettext_lazy as _


class BackupKind(models.TextChoices):
    DAILY = "daily", _("Daily")
    MANUAL = "manual", _("Requested")


class BackupStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    PRUNED = "pruned", _("Removed by retention")


class Backup(models.Model):
    """One archive of one company: its schema's SQL, its files and a manifest, in the
    backup storage (STORAGES["backups"]). The row outlives the company and the archive."""

    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="backups",
        verbose_name=_("company"),
    )
    company_slug = models.CharField(_("subdomain"), max_length=63)
    schema_name = models.CharField(_("schema"), max_length=63)
    kind = models.CharField(_("kind"), max_length=8, choices=BackupKind.choices)
    # Daily backups are one per company and day, whoever queues them and however often.
    day = models.DateField(_("day"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=BackupStatus.choices, default=BackupStatus.QUEUED
    )
    requested_by = models.CharField(_("requested by"), max_length=254, blank=True)
    archive = models.CharField(_("archive"), max_length=300, blank=True)
    size = models.BigIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 of the archive"), max_length=64, blank=True)
    rows = models.BigIntegerField(_("rows"), null=True, blank=True)
    files = models.IntegerField(_("files"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "day"],
                condition=models.Q(kind="daily"),
                name="one_daily_backup_per_company_and_day",
            )
        ]
        indexes = [models.Index(fields=["company", "status", "-created_at"])]

    def __str__(self):
        return f"{self.company_slug} {self.created_at:%Y-%m-%d %H:%M}"
