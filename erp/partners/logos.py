"""A partner's logo as an HTTP response: media are not served publicly, so the API and the
pages hand the file out themselves, to those who may see the partner."""

import mimetypes

from django.http import FileResponse, Http404


def logo_response(partner) -> FileResponse:
    if not partner.logo:
        raise Http404
    try:
        handle = partner.logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(partner.logo.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
