from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from master.licensing.limits import users_limit_check
from triboka.admin_sites import company_admin_site
from triboka.audit.models import AuditAction
from triboka.audit.services import audit_record

from . import services
from .models import User


class UserCreationForm(forms.ModelForm):
    """E-mail, name, role and language; the password is optional: without one the user
    gets a set-password link by e-mail."""

    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to e-mail the user a link to set their own password."),
    )

    class Meta:
        model = User
        fields = ("email", "full_name", "role", "language")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("A user with this e-mail already exists."))
        return email

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password"):
            try:
                validate_password(cleaned["password"], User(email=cleaned.get("email", "")))
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationForm
    list_display = ("email", "full_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "language")}),
        (_("Access"), {"fields": ("role", "is_active")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "full_name", "role", "language", "password")}),)
    filter_horizontal = ()

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:

            class UserAddForm(form):
                def clean(self):
                    cleaned = super().clean()
                    try:
                        users_limit_check(adding=1)
                    except ValidationError as error:
                        self.add_error(None, error.messages)
                    return cleaned

            return UserAddForm

        class UserChangeForm(form):
            def clean(self):
                cleaned = super().clean()
                changes = {
                    f: cleaned[f] for f in ("role", "is_active") if f in self.changed_data and f in cleaned
                }
                try:
                    services.user_validate_update(user=self.instance, changes=changes)
                except ValidationError as error:
                    self.add_error(None, error)
                return cleaned

        return UserChangeForm

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, so the last admin stays
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and services.user_is_last_active_admin(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.user_delete(user=obj)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # saved
            audit_record(action=AuditAction.PASSWORD_CHANGED, target=self.get_object(request, unquote(id)))
        return response

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            kwargs["choices"] = [(role.value, role.label) for role in services.roles_for_current_site()]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "email") if obj is not None else readonly

    def save_model(self, request, obj, form, change):
        if change:
            changed = {
                f: form.cleaned_data[f]
                for f in form.changed_data
                if f in ("full_name", "language", "role", "is_active")
            }
            services.user_update(user=obj, **changed)
            return
        created = services.user_create(
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data.get("full_name", ""),
            role=form.cleaned_data["role"],
            language=form.cleaned_data.get("language", "es"),
            password=form.cleaned_data.get("password") or None,
        )
        obj.pk = created.pk
        if not form.cleaned_data.get("password"):
            services.user_invitation_send(user=created, base_url=request.build_absolute_uri("/").rstrip("/"))
            messages.info(
                request, _("A link to set the password was e-mailed to %(email)s.") % {"email": created.email}
            )


admin.site.register(User, UserAdmin)
company_admin_site.register(User, UserAdmin)
