"""Rows that hold one uploaded file (evidence, shipment documents): the fields every such
row has, and the one way to make one, so a file is never left in storage without its row."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.translation import gettext_lazy as _

from triboka.uploads import upload_store


class StoredFile(models.Model):
    file = models.FileField(_("file"), max_length=255)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True


def stored_file_create(model: type[StoredFile], *, uploaded_file: UploadedFile, folder: str, user, **fields):
    """Checks and stores the file under ``folder``, then saves its row (validated); if the row
    cannot be saved the file is deleted again."""
    checked, name = upload_store(uploaded_file, folder=folder)
    row = model(
        file=name,
        original_name=checked.name,
        content_type=checked.mime,
        sha256=checked.sha256,
        uploaded_by=user,
        **fields,
    )
    try:
        row.full_clean()
        row.save()
    except Exception:
        default_storage.delete(name)
        raise
    return row
