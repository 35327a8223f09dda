from django import forms
from django.utils.translation import gettext_lazy as _

from master.licensing.models import LicenseType

from .models import Company, CompanyKind


class CompanyProvisionForm(forms.Form):
    """What the operator types to create a company; the service does the real checks."""

    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.CharField(
        label=_("Subdomain"),
        max_length=63,
        help_text=_("Lowercase letters, digits and hyphens, e.g. sucacao."),
    )
    ruc = forms.CharField(label=_("RUC"), max_length=13)
    kind = forms.ChoiceField(label=_("Kind"), choices=CompanyKind.choices)
    license_type = forms.ChoiceField(label=_("License"), choices=LicenseType.choices)
    admin_email = forms.EmailField(label=_("First administrator's e-mail"))
    admin_password = forms.CharField(
        label=_("Administrator's password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput,
        help_text=_("Leave empty to e-mail a one-time link to set the password."),
    )


class CompanyDeleteForm(forms.Form):
    confirm_slug = forms.CharField(
        label=_("Type the subdomain to confirm"),
        max_length=63,
    )

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company

    def clean_confirm_slug(self):
        value = self.cleaned_data["confirm_slug"].strip()
        if value != self.company.slug:
            raise forms.ValidationError(
                _("That is not this company's subdomain (%(slug)s).") % {"slug": self.company.slug}
            )
        return value
