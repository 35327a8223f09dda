"""Admin list actions that call a service once per selected row: refusals are shown per
row (the service's ValidationError), the rest counted in one success message."""

from django.contrib import messages
from django.core.exceptions import ValidationError


def apply_to_each(model_admin, request, rows, service, done_message, label=str) -> int:
    """``service(row)`` for each row; ``done_message(n)`` is an ngettext with ``%d``."""
    done = 0
    for row in rows:
        try:
            service(row)
        except ValidationError as error:
            model_admin.message_user(request, f"{label(row)}: {' '.join(error.messages)}", messages.ERROR)
        else:
            done += 1
    if done:
        model_admin.message_user(request, done_message(done) % done, messages.SUCCESS)
    return done


class ViewOnlyMixin:
    """For an admin or inline of rows written only by services (readings, ledger entries,
    stock movements, processing steps): looked at, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
