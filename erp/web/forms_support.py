"""Services report bad input as Django ValidationError (field-level) or ApplicationError;
these put either on the form the user sent, so the page shows it beside what they typed."""

from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage
from django.http import Http404

from erp.api import LargeTablePaginator
from triboka.errors import ApplicationError

PAGE_SIZE = 25


def call_service(form, service, *, aliases: dict | None = None):
    """Run ``service()``; on a refusal attach its messages to ``form`` and return None."""
    try:
        return service()
    except ValidationError as error:
        attach_errors(form, error, aliases or {})
    except ApplicationError as error:
        form.add_error(None, error.message)
    return None


def attach_errors(form, error: ValidationError, aliases: dict) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.error_dict.items():
        field = aliases.get(field, field)
        form.add_error(field if field in form.fields else None, messages)


def changes_of(form) -> dict:
    """What the user changed on an edit form: the fields an update service is given."""
    return {field: form.cleaned_data[field] for field in form.changed_data}


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    """A page of a list (404 for a page that does not exist); counts above the cap are the
    database's estimate, as in the API."""
    paginator = LargeTablePaginator(queryset, per_page)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404 from None
