"""Sign-ins through Django's own login (the site's login page, the admin's, the browsable
API's) and every failed authentication, wherever it is attempted.

The API's login (triboka/accounts/api.py) authenticates without Django's ``login()``, so
it records its own sign-in; its failures come through ``user_login_failed`` like the
others. Each attempt is therefore recorded once.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AuditAction
from .services import audit_record

ATTEMPTED_LOGIN_FIELDS = ("email", "username")


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(action=AuditAction.LOGIN, actor=user, target=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, actor=user, target=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    """The e-mail tried is kept (Django has already masked the password)."""
    attempted = next((str(credentials[f]) for f in ATTEMPTED_LOGIN_FIELDS if credentials.get(f)), "")
    audit_record(action=AuditAction.LOGIN_FAILED, object_repr=attempted)
