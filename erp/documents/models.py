from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from erp.contracts.models import Contract
from erp.softdelete import SoftDeleteModel


class DocumentKind(models.TextChoices):
    CONTRACT = "contract", _("Contract")
    INVOICE = "invoice", _("Invoice")
    REMISSION_GUIDE = "remission_guide", _("Remission guide")
    QUALITY_ANALYSIS = "quality_analysis", _("Quality analysis")
    CERTIFICATE = "certificate", _("Certificate")
    OTHER = "other", _("Other")


class Document(SoftDeleteModel):
    """A file of a contract. Stored as <uuid>-<sha256>.<ext> under the company's prefix;
    the name the user gave is kept for display and downloads."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(_("file"), max_length=255)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.original_name


class DocumentAccessAction(models.TextChoices):
    UPLOAD = "upload", _("Upload")
    DOWNLOAD = "download", _("Download")


class DocumentAccess(models.Model):
    """Who uploaded or downloaded a document, and when."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="accesses")
    action = models.CharField(max_length=10, choices=DocumentAccessAction.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document access")
        verbose_name_plural = _("document accesses")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.action} {self.document_id}"
