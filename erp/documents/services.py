"""Writes on documents: the checked upload, soft deletion and the access log."""

import hashlib
import os
import unicodedata
import uuid

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.contracts.models import Contract
from erp.notifications import triggers
from master.licensing.limits import storage_limit_check
from master.webhooks import events as webhook_events

from .models import Document, DocumentAccess, DocumentAccessAction

# Detected MIME type -> extension of the stored file. Nothing else is accepted.
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
}
SNIFF_BYTES = 8192  # what filetype reads to recognise a type
CHUNK_BYTES = 64 * 1024


def document_access_record(*, document: Document, user, action: str) -> DocumentAccess:
    return DocumentAccess.objects.create(document=document, user=user, action=action)


def document_upload(*, contract: Contract, kind: str, uploaded_file: UploadedFile, user) -> Document:
    """Check a file by its content and size, store it under the company's prefix as
    documents/<yyyy>/<mm>/<uuid>-<sha256>.<ext>, and record who uploaded it.

    The client's name, extension and Content-Type decide nothing: only the bytes do. The
    name given is kept (cleaned) for display and downloads only."""
    if uploaded_file.size is not None:
        _check_size(uploaded_file.size)
    head = uploaded_file.read(SNIFF_BYTES)
    mime = _detected_type(head)
    sha256, size = _sha256_and_size(uploaded_file)
    storage_limit_check(adding_bytes=size)
    extension = ALLOWED_TYPES[mime]
    document = Document(
        contract=contract,
        kind=kind,
        original_name=clean_original_name(uploaded_file.name or "", extension),
        content_type=mime,
        size=size,
        sha256=sha256,
        uploaded_by=user,
        file=f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}-{sha256}.{extension}",
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


def clean_original_name(name: str, extension: str) -> str:
    """The last path part of the client's name without control or format characters
    (no directories, no right-to-left tricks), at most 255 characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    if name in {"", ".", ".."}:
        name = f"document.{extension}"
    if len(name) > 255:
        stem, suffix = os.path.splitext(name)
        suffix = suffix[:20]
        name = stem[: 255 - len(suffix)] + suffix
    return name


def _check_size(size: int) -> None:
    limit_mb = settings.DOCUMENT_MAX_UPLOAD_MB
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size > limit_mb * 1024 * 1024:
        raise ValidationError(
            {"file": _("The file is larger than %(limit)s MB.") % {"limit": limit_mb}}, code="too_large"
        )


def _detected_type(head: bytes) -> str:
    guess = filetype.guess(head)
    if guess is not None and guess.mime in ALLOWED_TYPES:
        return guess.mime
    found = f"{guess.mime} (.{guess.extension})" if guess else _describe_unknown(head)
    raise ValidationError(
        {
            "file": _("Only PDF, PNG, JPEG or WEBP files are accepted; this file is %(found)s.")
            % {"found": found}
        },
        code="file_type",
    )


def _describe_unknown(head: bytes) -> str:
    """A readable name for content filetype does not know (it ignores text formats)."""
    start = head.lstrip()[:512].lower()
    if start.startswith((b"<!doctype html", b"<html")) or b"<script" in start or b"<body" in start:
        return _("an HTML document")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return _("of an unknown type")
    return _("plain text")


def _sha256_and_size(uploaded_file: UploadedFile) -> tuple[str, int]:
    """Hash in chunks, counting the bytes actually read: the declared size could lie."""
    digest = hashlib.sha256()
    size = 0
    for chunk in uploaded_file.chunks(CHUNK_BYTES):
        digest.update(chunk)
        size += len(chunk)
    _check_size(size)
    return digest.hexdigest(), size
