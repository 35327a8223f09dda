"""Forms of the inventory pages: a stock movement, a lot's split, a merge of lots."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from erp.inventory.models import MovementKind

KINDS = [(kind, label) for kind, label in MovementKind.choices if kind != MovementKind.IN]


class MovementForm(forms.Form):
    lot = forms.CharField(label=_("Lot"), max_length=40, help_text=_("Its code, e.g. LT-2026-00012."))
    kind = forms.ChoiceField(label=_("Kind"), choices=KINDS)
    from_warehouse = forms.ModelChoiceField(label=_("From"), queryset=None, required=False)
    to_warehouse = forms.ModelChoiceField(label=_("To"), queryset=None, required=False)
    kg = forms.DecimalField(
        label=_("Weight (kg)"),
        max_digits=12,
        decimal_places=2,
        help_text=_("For an adjustment, negative takes stock away."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, warehouses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_warehouse"].queryset = warehouses
        self.fields["to_warehouse"].queryset = warehouses


class SplitForm(forms.Form):
    parts = forms.CharField(
        label=_("Weights of the new lots (kg)"),
        help_text=_("Separated by spaces or semicolons, e.g. 1000; 500,5. The rest stays in the lot."),
    )

    def clean_parts(self):
        parts = []
        for text in self.cleaned_data["parts"].replace(";", " ").split():
            try:
                parts.append(Decimal(text.replace(",", ".")))
            except InvalidOperation:
                raise forms.ValidationError(_("“%(text)s” is not a weight.") % {"text": text}) from None
        if not parts:
            raise forms.ValidationError(_("Give one or more weights above zero."))
        return parts


class MergeForm(forms.Form):
    lots = forms.CharField(
        label=_("Lots to merge"), help_text=_("Their codes, separated by spaces or commas.")
    )
    code = forms.CharField(label=_("Code of the new lot"), max_length=40, required=False)

    def clean_lots(self):
        return sorted({code for code in self.cleaned_data["lots"].replace(",", " ").split()})
