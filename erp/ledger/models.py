"""The company's traceability ledger: an append-only hash chain.

Each entry holds the SHA-256 of its own canonical content and of the previous entry, so an
altered, deleted or reordered row breaks the chain at that point (``services.ledger_verify``
finds the first broken link). A trigger (migration 0002) refuses UPDATE and DELETE in the
database itself, as for the audit log.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerEntry(models.Model):
    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("at"))
    kind = models.CharField(_("kind"), max_length=20)
    # Plain values, not foreign keys: the ledger outlives and never changes with the rows it names.
    lot_id = models.BigIntegerField(_("lot id"), null=True, blank=True)
    lot_code = models.CharField(_("lot"), max_length=40, blank=True)
    actor = models.CharField(_("actor"), max_length=254, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    entry_hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["seq"]
        indexes = [models.Index(fields=["lot_id", "seq"], name="ledger_lot_seq_idx")]

    def __str__(self):
        return f"#{self.seq} {self.kind} {self.lot_code}"


class VerificationCode(models.Model):
    """The code that lets anyone check a lot's chain of custody at ``/verify/<code>/``.

    One per lot, issued on demand by the company side; issuing again gives the same code, so a
    certificate already printed keeps working. Twelve base32 characters (60 random bits): short
    enough to type from paper, too many to guess."""

    lot = models.OneToOneField(
        "lots.Lot", on_delete=models.CASCADE, related_name="verification_code", verbose_name=_("lot")
    )
    code = models.CharField(_("code"), max_length=12, unique=True)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")

    def __str__(self):
        return self.code
