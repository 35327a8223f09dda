from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm

from triboka.audit.models import AuditAction
from triboka.audit.services import audit_record

from .throttling import login_attempt_check


class ThrottledLoginMixin:
    def clean(self):
        if self.request is not None:
            login_attempt_check(self.request)
        return super().clean()


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    """The company site's login form."""


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The login form of the master panel and of each company's admin."""


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's, but also for active users who never set a password: an invited user whose
    link expired asks for a new one here. Counted with the login attempts, so the form
    cannot be used to flood a mailbox."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        if self.request is not None:
            login_attempt_check(self.request)
        return super().clean()

    def get_users(self, email):
        return get_user_model()._default_manager.filter(email__iexact=email, is_active=True)

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
        audit_record(action=AuditAction.PASSWORD_RESET_REQUESTED, target=context["user"])
