"""Timestamps and soft deletion for ERP records. Deleted rows keep their data
(``deleted_at``), vanish from the default manager, and an administrator can restore them."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy


class AliveQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_lazy("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_lazy("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AliveManager(models.Manager.from_queryset(AliveQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class SoftDeleteModel(models.Model):
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)

    objects = AliveManager()  # live rows only: what every view and selector starts from
    all_objects = AliveQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def mark_deleted(self) -> None:
        self.deleted_at = timezone.now()

    def mark_restored(self) -> None:
        self.deleted_at = None

    def soft_delete(self) -> None:
        self.mark_deleted()
        self.save(update_fields=["deleted_at"])

    def restore(self) -> None:
        """Bring the row back, if its unique values were not taken meanwhile."""
        if not self.is_deleted:
            from triboka.errors import ApplicationError

            raise ApplicationError(_("This record is not deleted."), code="not_deleted")
        self.mark_restored()
        self.full_clean()
        self.save(update_fields=["deleted_at"])
