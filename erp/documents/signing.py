"""Download links: short-lived, signed, bound to one company and one document.

Media is never served directly. ``GET /api/v1/documents/{id}/download/`` checks the user's
rights and redirects to a link that works without a login for
``settings.DOCUMENT_LINK_SECONDS``: ``/api/v1/documents/{id}/file/?token=...`` on the local
file system, or the storage's own expiring URL (an S3 pre-signed URL) when the storage can
make one.
"""

import inspect
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from triboka.errors import ApplicationError

from .models import Document

SALT = "erp.documents.link"


def link_token(*, document: Document) -> str:
    return signing.dumps(_claims(document.pk), salt=SALT)


def link_check(*, token: str, document_id: int) -> None:
    """Refuse (403) a link that is expired, tampered with, or made for another company or
    another document."""
    try:
        claims = signing.loads(token, salt=SALT, max_age=settings.DOCUMENT_LINK_SECONDS)
    except signing.SignatureExpired:
        raise _refused(
            _("This download link has expired; download the document again."), "link_expired"
        ) from None
    except signing.BadSignature:
        raise _refused(_("This download link is not valid."), "link_invalid") from None
    if claims != _claims(document_id):
        raise _refused(_("This download link is not valid for this document."), "link_invalid")


def download_url(*, document: Document, request) -> str:
    """Where ``download`` redirects: the storage's own expiring URL when it has one (S3),
    else our signed link, served by DocumentFileView."""
    storage = document.file.storage
    if not isinstance(storage, FileSystemStorage) and _accepts(storage.url, "expire"):
        options = {"expire": settings.DOCUMENT_LINK_SECONDS}
        if _accepts(storage.url, "parameters"):  # S3: the file arrives with its own name and type
            options["parameters"] = {
                "ResponseContentDisposition": content_disposition_header(True, document.original_name),
                "ResponseContentType": document.content_type,
            }
        return storage.url(document.file.name, **options)
    path = reverse("document-file", kwargs={"pk": document.pk})
    return request.build_absolute_uri(f"{path}?{urlencode({'token': link_token(document=document)})}")


def _claims(document_id: int) -> dict:
    return {
        "schema": connection.schema_name,
        "company": getattr(connection.tenant, "pk", None),
        "document": document_id,
    }


def _accepts(function, parameter: str) -> bool:
    try:
        return parameter in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def _refused(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, status_code=403)
