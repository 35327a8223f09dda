"""Sign-in pages of a company site (Django's auth views with our templates)."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from triboka.audit.models import AuditAction
from triboka.audit.services import audit_record

from .forms import LoginForm, PasswordResetForm

login = auth_views.LoginView.as_view(
    template_name="registration/login.html",
    authentication_form=LoginForm,
    redirect_authenticated_user=True,
)
logout = auth_views.LogoutView.as_view()


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(action=AuditAction.PASSWORD_CHANGED, target=form.user)
        return response


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The one-time link's page (a forgotten password, or an invitation)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(action=AuditAction.PASSWORD_RESET_DONE, actor=form.user, target=form.user)
        return response


password_change = PasswordChangeView.as_view(
    template_name="registration/password_change.html",
    success_url=reverse_lazy("accounts:password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="registration/password_change_done.html"
)
set_password = SetPasswordView.as_view(
    template_name="registration/set_password.html",
    success_url=reverse_lazy("accounts:set_password_done"),
)
set_password_done = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/set_password_done.html"
)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


password_reset = PasswordResetView.as_view(
    template_name="registration/password_reset.html",
    email_template_name="email/password_reset.txt",
    subject_template_name="email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="registration/password_reset_done.html"
)
