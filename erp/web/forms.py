"""Forms of the pages: they parse what the user typed (numbers with the locale's decimal
comma, dates) and render it back with errors; the rules live in the services they feed."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from erp.calculator.services import MAX_DIFFERENTIALS
from erp.contracts.models import Contract, ContractStatus
from erp.contracts.services import CONTRACT_FIELDS
from erp.documents.models import DocumentKind
from erp.lots.models import Lot, LotStatus
from erp.market.models import Demand
from erp.partners.models import Partner
from triboka.accounts.models import Role, User

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
MONTH = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = CONTRACT_FIELDS
        localized_fields = "__all__"
        widgets = {"signed_on": DATE, "delivery_from": DATE, "delivery_to": DATE}

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        current = Partner.objects.filter(pk__in=[self.instance.exporter_id, self.instance.counterparty_id])
        # A party deactivated since stays choosable on its contracts.
        self.fields["exporter"].queryset = (partners | current).filter(kind="exporter").distinct()
        self.fields["counterparty"].queryset = (partners | current).distinct()

    def _post_clean(self):
        """The service validates the contract (model rules included); not twice here."""


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class ContractFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + ContractStatus.choices
    )
    counterparty = forms.ModelChoiceField(
        label=_("Counterparty"), required=False, queryset=Partner.objects.none(), empty_label=_("All")
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counterparty"].queryset = partners


class TransitionForm(forms.Form):
    status = forms.ChoiceField(choices=ContractStatus.choices)


class AssignLotForm(forms.Form):
    """The lot by its code (a company has too many lots for a drop-down); the page offers
    the most recent assignable ones as suggestions."""

    lot = forms.CharField(
        label=_("Lot code"), max_length=40, widget=forms.TextInput(attrs={"list": "assignable-lots"})
    )

    def __init__(self, *args, lots, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.lots = lots
        self.contract = contract

    def clean_lot(self):
        lot = self.lots.filter(code=self.cleaned_data["lot"].strip()).first()
        if lot is None:
            raise forms.ValidationError(_("There is no lot with this code among the lots you may see."))
        return lot

    def suggestions(self):
        """Recent lots of the contract's parties that are not under it and still count."""
        parties = [self.contract.exporter_id, self.contract.counterparty_id]
        return (
            self.lots.filter(owner_id__in=parties)
            .exclude(contract=self.contract)
            .exclude(status__in=[LotStatus.DISPATCHED, LotStatus.REJECTED])
            .order_by("-created_at")[:100]
        )


class ChatForm(forms.Form):
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 2}))


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("File"), allow_empty_file=True)  # the service refuses empty files


class LotForm(forms.ModelForm):
    weight_qq = forms.DecimalField(
        label=_("Weight (quintales)"), max_digits=12, decimal_places=2, min_value=0.01, localize=True
    )
    code = forms.CharField(
        label=_("Code"), max_length=40, required=False, help_text=_("Leave empty to get the next LT- code.")
    )

    class Meta:
        model = Lot
        fields = ["code", "owner", "variety", "humidity_percent", "status", "received_on"]
        localized_fields = ["humidity_percent"]
        widgets = {"received_on": DATE}

    def __init__(self, *args, partners, choose_owner: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if choose_owner:
            self.fields["owner"].queryset = partners
        else:
            del self.fields["owner"]  # a center's lots belong to its own partner
        if self.instance.pk:
            self.fields["weight_qq"].initial = self.instance.weight_qq
        self.order_fields(
            ["code", "owner", "variety", "weight_qq", "humidity_percent", "status", "received_on"]
        )

    def _post_clean(self):
        """The service validates the lot (model rules included)."""


class LotFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + LotStatus.choices
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), required=False, queryset=Partner.objects.none(), empty_label=_("All")
    )
    contract = forms.CharField(label=_("Contract code"), required=False, max_length=20)

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = partners


class CalculatorForm(forms.Form):
    spot = forms.DecimalField(label=_("Spot price (USD/TM)"), max_digits=12, decimal_places=2, localize=True)

    def __init__(self, *args, rows: int = 6, **kwargs):
        super().__init__(*args, **kwargs)
        for index in range(max(rows, 1)):
            self.fields[f"differential_{index}"] = forms.DecimalField(
                label=_("Differential %(number)d (USD/TM)") % {"number": index + 1},
                max_digits=12,
                decimal_places=2,
                required=False,
                localize=True,
            )

    def differentials(self) -> list:
        return [
            value
            for name, value in self.cleaned_data.items()
            if name.startswith("differential_") and value is not None
        ]


CALCULATOR_ROWS = min(6, MAX_DIFFERENTIALS)


class DemandForm(forms.ModelForm):
    class Meta:
        model = Demand
        fields = ["month", "tm_wanted", "variety", "contract_type", "valid_from", "valid_to", "notes"]
        localized_fields = ["tm_wanted"]
        widgets = {"month": MONTH, "valid_from": DATE, "valid_to": DATE}

    def _post_clean(self):
        """The service validates the demand."""


class _StoredLogo:
    """What ClearableFileInput shows as "currently": the file's name, linked to the page
    that serves it (media are not public)."""

    def __init__(self, name: str, url: str):
        self.name, self.url = name, url

    def __str__(self):
        return self.name


class LogoInput(forms.ClearableFileInput):
    logo_url = None

    def format_value(self, value):
        if self.is_initial(value) and self.logo_url:
            return _StoredLogo(value.name.rsplit("/", 1)[-1], self.logo_url)
        return super().format_value(value)


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = [
            "name", "kind", "tax_id", "contact_name", "email", "phone",
            "province", "canton", "latitude", "longitude", "logo", "is_active",
        ]  # fmt: skip
        localized_fields = ["latitude", "longitude"]
        widgets = {"logo": LogoInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.logo:
            self.fields["logo"].widget.logo_url = reverse("web:partner_logo", args=[self.instance.pk])

    def _post_clean(self):
        """The service validates the partner (RUC/cédula included)."""


class UserInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=[(role.value, role.label) for role in Role if role != Role.STAFF]
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"),
        required=False,
        queryset=Partner.objects.all(),
        help_text=_("Required for centers and suppliers."),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=User._meta.get_field("language").choices, initial="es"
    )


class UserChangeForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=UserInviteForm.base_fields["role"].choices)
    partner = forms.ModelChoiceField(label=_("Partner"), required=False, queryset=Partner.objects.all())
    language = forms.ChoiceField(label=_("Language"), choices=User._meta.get_field("language").choices)
    is_active = forms.BooleanField(
        label=_("Active"), required=False, help_text=_("A deactivated user cannot log in.")
    )


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=User._meta.get_field("language").choices)
