"""Forms of the processing pages. They parse what the user typed; the rules (weights, times,
open steps, target moisture) live in erp.processing.services."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from erp.lots.models import ProductForm
from erp.processing.models import DryingMethod
from erp.processing.selectors import visible_lots
from erp.processing.services import DRYABLE, STARTABLE

DATETIME = forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"})
WEIGHT = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.01"), "localize": True}
PERCENT = {"max_digits": 5, "decimal_places": 2, "min_value": 0, "max_value": 100, "localize": True}
TEMPERATURE = {"max_digits": 5, "decimal_places": 2, "min_value": -10, "max_value": 80, "localize": True}


def _when(label, required=False, help_text=""):
    return forms.DateTimeField(label=label, required=required, widget=DATETIME, help_text=help_text)


class StartForm(forms.Form):
    lot = forms.ModelChoiceField(label=_("Lot"), queryset=None)
    weight_in_kg = forms.DecimalField(
        label=_("Weight in (kg)"), required=False, help_text=_("Empty: the lot's weight."), **WEIGHT
    )
    started_at = _when(_("Started at"), help_text=_("Empty: now."))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    statuses: set = set()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = self.lots(visible_lots(user).filter(status__in=self.statuses)).order_by(
            "code"
        )

    def lots(self, queryset):
        return queryset


class FermentationStartForm(StartForm):
    box = forms.CharField(
        label=_("Box"), max_length=60, help_text=_("Name or number of the fermentation box.")
    )
    field_order = ["lot", "box", "weight_in_kg", "started_at", "notes"]
    statuses = STARTABLE

    def lots(self, queryset):
        return queryset.filter(form=ProductForm.WET)


class DryingStartForm(StartForm):
    method = forms.ChoiceField(label=_("Method"), choices=DryingMethod.choices)
    target_moisture_percent = forms.DecimalField(
        label=_("Target moisture (%)"),
        required=False,
        help_text=_("Empty: the company's standard."),
        **PERCENT,
    )
    field_order = ["lot", "method", "weight_in_kg", "target_moisture_percent", "started_at", "notes"]
    statuses = DRYABLE


class TurnForm(forms.Form):
    at = _when(_("Turned at"), required=True)
    temperature_c = forms.DecimalField(label=_("Temperature (°C)"), **TEMPERATURE)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=500)


class ReadingForm(forms.Form):
    at = _when(_("Measured at"), required=True)
    moisture_percent = forms.DecimalField(label=_("Moisture (%)"), **PERCENT)
    temperature_c = forms.DecimalField(label=_("Temperature (°C)"), required=False, **TEMPERATURE)


class FermentationFinishForm(forms.Form):
    weight_out_kg = forms.DecimalField(label=_("Weight out (kg)"), **WEIGHT)
    ended_at = _when(_("Ended at"), help_text=_("Empty: now."))


class DryingFinishForm(FermentationFinishForm):
    moisture_percent = forms.DecimalField(
        label=_("Final moisture (%)"), required=False, help_text=_("Empty: the last reading."), **PERCENT
    )
    confirm_above_target = forms.BooleanField(
        label=_("End it although it is above the target moisture"), required=False
    )


def filled(form) -> dict:
    """The values the user gave (empty ones left to the service's defaults)."""
    return {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}
