"""Forms of the IoT pages: devices, the readings filter and lot assignment, CSV uploads.
They parse what the user typed; the rules live in iot.services."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from erp.lots.selectors import lot_named
from erp.partners.models import Partner, PartnerKind
from iot.models import Device
from iot.services import DEVICE_FIELDS

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class DeviceForm(forms.ModelForm):
    class Meta:
        model = Device
        fields = DEVICE_FIELDS
        localized_fields = ["capacity_kg", "calibration_factor"]
        widgets = {
            "calibrated_on": DATE,
            "csv_columns": forms.Textarea(attrs={"rows": 2}),
            "serial_pattern": forms.TextInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        centers = Partner.objects.filter(kind=PartnerKind.CENTER, is_active=True)
        current = Partner.objects.filter(pk=self.instance.location_id)  # a deactivated one stays
        self.fields["location"].queryset = (centers | current).distinct().order_by("name")

    def clean_csv_columns(self):
        return self.cleaned_data["csv_columns"] or {}

    def _post_clean(self):
        """The service validates the device (model rules included)."""


class DeviceFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("yes", pgettext_lazy("device", "Active")),
            ("no", pgettext_lazy("device", "Inactive")),
        ],
    )


class ReadingFilterForm(forms.Form):
    device = forms.ModelChoiceField(
        label=_("Device"), required=False, queryset=Device.objects.none(), empty_label=_("All")
    )
    lot = forms.CharField(label=_("Lot code"), required=False, max_length=40)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)

    def __init__(self, *args, devices, **kwargs):
        """``devices``: those the user may choose among; None: no device filter (a supplier)."""
        super().__init__(*args, **kwargs)
        if devices is None:
            del self.fields["device"]
        else:
            self.fields["device"].queryset = devices

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


class ReadingAssignForm(forms.Form):
    """The lot by its code, among those the user may see; empty clears the reading's lot."""

    lot = forms.CharField(
        label=_("Lot code"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"list": "assignable-lots"}),
        help_text=_("Leave empty to remove the reading from its lot."),
    )

    def __init__(self, *args, lots, **kwargs):
        super().__init__(*args, **kwargs)
        self.lots = lots

    def clean_lot(self):
        code = self.cleaned_data["lot"].strip()
        if not code:
            return None
        lot = lot_named(self.lots, code)
        if lot is None:
            raise forms.ValidationError(_("There is no lot with this code among the lots you may see."))
        return lot


class ImportUploadForm(forms.Form):
    device = forms.ModelChoiceField(label=_("Device"), queryset=Device.objects.none())
    file = forms.FileField(
        label=_("CSV file"),
        allow_empty_file=True,  # the import reports an empty file
        help_text=_("The file the scale terminal or PLC exported, with a header row."),
    )

    def __init__(self, *args, devices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["device"].queryset = devices
