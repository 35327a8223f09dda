from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

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
