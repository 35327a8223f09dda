"""One project error type and one DRF exception handler (STYLE.md, "Errors").

Services raise Django's ``ValidationError`` (field-level) or ``ApplicationError``; the
handler turns both into JSON with a readable message, never a 500 for bad input.
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


class ApplicationError(Exception):
    """A business rule refused the operation (HTTP 409 unless told otherwise)."""

    def __init__(self, message: str, *, code: str = "conflict", status_code: int = 409):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status_code = status_code


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, ApplicationError):
        return Response({"detail": exc.message, "code": exc.code}, status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_400_BAD_REQUEST:
        response.data = _with_field_errors(response.data)
    return response


def _with_field_errors(data):
    """Field errors stay where DRF puts them; a top-level ``detail`` says what went wrong.
    Errors of no single field are under ``non_field_errors`` (Django calls them ``__all__``)."""
    invalid = str(exceptions.ValidationError.default_detail)
    if isinstance(data, dict) and NON_FIELD_ERRORS in data:
        data = {
            ("non_field_errors" if key == NON_FIELD_ERRORS else key): value for key, value in data.items()
        }
    if isinstance(data, dict) and "detail" not in data:
        non_field = data.get("non_field_errors")
        return {"detail": str(non_field[0]) if non_field else invalid, **data}
    if isinstance(data, list):
        return {"detail": str(data[0]) if data else invalid, "non_field_errors": data}
    return data
