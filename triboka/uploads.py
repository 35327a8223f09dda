"""Uploaded files checked by their content: contract documents and support attachments.

The client's name, extension and Content-Type decide nothing: only the bytes do (magic
numbers through ``filetype``). The size is counted while hashing, since a declared size
could lie. The name given is kept, cleaned, for display and downloads only.
"""

import hashlib
import os
import unicodedata
import uuid
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from master.licensing.limits import storage_limit_check

# Detected MIME type -> extension of the stored file. Nothing else is accepted.
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
}
SNIFF_BYTES = 8192  # what filetype reads to recognise a type
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class CheckedFile:
    mime: str
    extension: str
    sha256: str
    size: int
    name: str  # the client's name, cleaned


def upload_check(uploaded_file: UploadedFile, *, max_mb: int, field: str = "file") -> CheckedFile:
    """The file's type, hash and size, or a ValidationError on ``field`` (empty, too large,
    not a PDF or an image)."""
    if uploaded_file.size is not None:
        _check_size(uploaded_file.size, max_mb, field)
    uploaded_file.seek(0)
    mime = _detected_type(uploaded_file.read(SNIFF_BYTES), field)
    uploaded_file.seek(0)
    digest, size = hashlib.sha256(), 0
    for chunk in uploaded_file.chunks(CHUNK_BYTES):
        digest.update(chunk)
        size += len(chunk)
    _check_size(size, max_mb, field)
    uploaded_file.seek(0)
    extension = ALLOWED_TYPES[mime]
    return CheckedFile(
        mime=mime,
        extension=extension,
        sha256=digest.hexdigest(),
        size=size,
        name=clean_original_name(uploaded_file.name or "", extension),
    )


def upload_store(
    uploaded_file: UploadedFile, *, folder: str, field: str = "file", images_only: bool = False
) -> tuple[CheckedFile, str]:
    """Checks the file (type by content, size, the license's storage limit) and saves it as
    ``<folder>/<yyyy>/<mm>/<uuid>-<sha256>.<ext>`` in the company's storage; returns what was
    checked and the stored name. The caller deletes the file if its row is not saved."""
    checked = upload_check(uploaded_file, max_mb=settings.DOCUMENT_MAX_UPLOAD_MB, field=field)
    if images_only and not checked.mime.startswith("image/"):
        raise ValidationError({field: _("Only PNG, JPEG or WEBP photos are accepted.")})
    storage_limit_check(adding_bytes=checked.size)
    name = f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}-{checked.sha256}.{checked.extension}"
    return checked, default_storage.save(name, uploaded_file, max_length=255)


def stored_file_response(
    field_file, *, name: str, content_type: str, attachment: bool = False
) -> FileResponse:
    """A stored file sent to someone already allowed to see it: never cached by a proxy, 404
    when the file is gone from storage."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=attachment, filename=name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


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


def _check_size(size: int, max_mb: int, field: str) -> None:
    if size == 0:
        raise ValidationError({field: _("The file is empty.")})
    if size > max_mb * 1024 * 1024:
        raise ValidationError(
            {field: _("The file is larger than %(limit)s MB.") % {"limit": max_mb}}, code="too_large"
        )


def _detected_type(head: bytes, field: str) -> str:
    guess = filetype.guess(head)
    if guess is not None and guess.mime in ALLOWED_TYPES:
        return guess.mime
    found = f"{guess.mime} (.{guess.extension})" if guess else _describe_unknown(head)
    raise ValidationError(
        {
            field: _("Only PDF, PNG, JPEG or WEBP files are accepted; this file is %(found)s.")
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
