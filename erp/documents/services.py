"""Writes on documents: the checked upload, soft deletion and the access log."""

import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from erp.contracts.models import Contract
from erp.notifications import triggers
from master.licensing.limits import storage_limit_check
from master.webhooks import events as webhook_events
from triboka.uploads import upload_check

from .models import Document, DocumentAccess, DocumentAccessAction


def document_access_record(*, document: Document, user, action: str) -> DocumentAccess:
    return DocumentAccess.objects.create(document=document, user=user, action=action)


def document_upload(*, contract: Contract, kind: str, uploaded_file: UploadedFile, user) -> Document:
    """Check a file by its content and size, store it under the company's prefix as
    documents/<yyyy>/<mm>/<uuid>-<sha256>.<ext>, and record who uploaded it.

    The client's name, extension and Content-Type decide nothing: only the bytes do. The
    name given is kept (cleaned) for display and downloads only."""
    checked = upload_check(uploaded_file, max_mb=settings.DOCUMENT_MAX_UPLOAD_MB)
    storage_limit_check(adding_bytes=checked.size)
    document = Document(
        contract=contract,
        kind=kind,
        original_name=checked.name,
        content_type=checked.mime,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
        file=f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}-{checked.sha256}.{checked.extension}",
    )
    document.full_clean()
    document.file.name = default_storage.save(document.file.name, uploaded_file, max_length=255)
    try:
        with transaction.atomic():
            document.save()
            document_access_record(document=document, user=user, action=DocumentAccessAction.UPLOAD)
            triggers.on_document_uploaded(document, user)
            webhook_events.document_uploaded(document, user=user)
    except Exception:
        default_storage.delete(document.file.name)  # no file without its row
        raise
    return document


def document_delete(*, document: Document) -> None:
    """Soft deletion: the row and the file stay, so an administrator can restore them."""
    document.soft_delete()


def document_restore(*, document: Document) -> Document:
    document.restore()
    return document
