"""Forms of the quality pages: the cut test, the analyses filter, certificates, contract
terms. They parse what the user typed; the rules live in erp.quality.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from erp.lots.models import Grade
from erp.quality.grades import CUT_TEST_FIELDS
from erp.quality.models import Certificate, ContractQualityTerms, QualityAnalysis
from erp.quality.services import TERM_FIELDS

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
DATETIME = forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"})
PHOTO_TYPES = "image/png,image/jpeg,image/webp"


class AnalysisForm(forms.ModelForm):
    photo = forms.FileField(
        label=_("Photo of the cut beans"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_TYPES}),
    )

    class Meta:
        model = QualityAnalysis
        fields = [
            "analysed_at",
            "analyst_name",
            "sample_size",
            *CUT_TEST_FIELDS,
            "moisture_percent",
            "bean_count_per_100g",
            "notes",
        ]
        localized_fields = ["moisture_percent"]
        widgets = {
            "analysed_at": DATETIME,
            "notes": forms.Textarea(attrs={"rows": 2}),
            **{
                field: forms.NumberInput(attrs={"min": 0, "data-cut-test": field})
                for field in CUT_TEST_FIELDS
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["analysed_at"].required = False
        self.fields["analysed_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["sample_size"].widget.attrs["data-cut-test-sample"] = "1"
        for field in CUT_TEST_FIELDS:
            self.fields[field].initial = 0

    def _post_clean(self):
        """The service validates the analysis (model rules included)."""

    def service_fields(self) -> dict:
        data = {key: value for key, value in self.cleaned_data.items() if key != "photo"}
        if not data.get("analysed_at"):
            data.pop("analysed_at", None)
        return data


class AnalysisFilterForm(forms.Form):
    lot = forms.CharField(label=_("Lot code"), required=False, max_length=40)
    grade = forms.ChoiceField(label=_("Grade"), required=False, choices=[("", _("All")), *Grade.choices])
    result = forms.ChoiceField(
        label=_("Contract terms"),
        required=False,
        choices=[("", _("All")), ("failing", _("Failing")), ("passing", _("Passing"))],
    )


class CertificateForm(forms.ModelForm):
    lot_code = forms.CharField(
        label=_("Lot code"), required=False, max_length=40, help_text=_("A lot, or a supplier below.")
    )
    file = forms.FileField(
        label=_("File (PDF or image)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": f"application/pdf,{PHOTO_TYPES}"}),
    )

    class Meta:
        model = Certificate
        fields = ["partner", "kind", "number", "issuer", "valid_from", "valid_to"]
        widgets = {"valid_from": DATE, "valid_to": DATE}

    def __init__(self, *args, partners=None, choose_partner: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if choose_partner:
            self.fields["partner"].queryset = partners
            self.fields["partner"].required = False
        else:
            del self.fields["partner"]
            self.fields["lot_code"].required = True
            self.fields["lot_code"].help_text = ""

    def _post_clean(self):
        """The service validates the certificate."""


class TermsForm(forms.ModelForm):
    class Meta:
        model = ContractQualityTerms
        fields = list(TERM_FIELDS)
        localized_fields = [field for field in TERM_FIELDS if field.endswith("_percent")]

    def _post_clean(self):
        """The service validates the terms."""
