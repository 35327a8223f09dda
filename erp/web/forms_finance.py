"""Forms of the finance pages: costs (with their filter), payments to suppliers and from
buyers, the payables filter. They parse what the user typed; the rules (one target, amounts
to the cent, never more than is pending) live in erp.finance.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from erp.finance.models import BuyerPayment, Cost, CostKind, SupplierPayment
from erp.finance.selectors import PaymentStatus

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
AMOUNT = forms.TextInput(attrs={"inputmode": "decimal"})  # a text box takes the decimal comma
ALL = [("", _("All"))]


def _shipment_label(shipment) -> str:
    return f"{shipment.code} · {shipment.sales_contract.code}"


class CostFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[*ALL, *CostKind.choices])
    lot = forms.CharField(label=_("Lot code"), required=False, max_length=40)
    shipment = forms.ModelChoiceField(
        label=_("Shipment"), required=False, queryset=None, empty_label=_("All")
    )

    def __init__(self, *args, shipments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shipment"].queryset = shipments
        self.fields["shipment"].label_from_instance = _shipment_label

    def apply(self, costs):
        data = self.cleaned_data
        if data["kind"]:
            costs = costs.filter(kind=data["kind"])
        if data["lot"].strip():
            costs = costs.filter(lot__code__iexact=data["lot"].strip())
        if data["shipment"]:
            costs = costs.filter(shipment=data["shipment"])
        return costs


class CostForm(forms.ModelForm):
    """A cost laid on a lot (named by its code) or on a shipment; the service says which one
    is missing or too many."""

    lot_code = forms.CharField(
        label=_("Lot code"), required=False, max_length=40, help_text=_("A lot, or a shipment below.")
    )

    class Meta:
        model = Cost
        fields = ["kind", "lot_code", "shipment", "amount_usd", "incurred_on", "description"]
        localized_fields = ["amount_usd"]
        widgets = {"incurred_on": DATE, "amount_usd": AMOUNT}

    def __init__(self, *args, shipments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shipment"].queryset = shipments
        self.fields["shipment"].label_from_instance = _shipment_label
        if self.instance.lot_id:
            self.fields["lot_code"].initial = self.instance.lot.code

    def _post_clean(self):
        """The service validates the cost (the model's rules included)."""


class SupplierPaymentForm(forms.ModelForm):
    class Meta:
        model = SupplierPayment
        fields = ["amount_usd", "paid_on", "method", "reference"]
        localized_fields = ["amount_usd"]
        widgets = {"paid_on": DATE, "amount_usd": AMOUNT}

    def _post_clean(self):
        """The service validates the payment (never more than is pending)."""


class BuyerPaymentForm(forms.ModelForm):
    class Meta:
        model = BuyerPayment
        fields = ["amount_usd", "received_on", "reference"]
        localized_fields = ["amount_usd"]
        widgets = {"received_on": DATE, "amount_usd": AMOUNT}

    def _post_clean(self):
        """The service validates the payment (never more than is pending)."""


class PayableFilterForm(forms.Form):
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), required=False, queryset=None, empty_label=_("All")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            *ALL,
            (PaymentStatus.PENDING, _("Pending")),
            (PaymentStatus.PARTIAL, _("Partly paid")),
            (PaymentStatus.PAID, _("Paid")),
        ],
    )

    def __init__(self, *args, suppliers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if suppliers is None:  # a supplier reads its own: nothing to choose
            del self.fields["supplier"]
        else:
            self.fields["supplier"].queryset = suppliers

    def apply(self, receptions):
        data = self.cleaned_data
        if data.get("supplier"):
            receptions = receptions.filter(supplier=data["supplier"])
        if data["status"]:
            receptions = receptions.filter(payment_status=data["status"])
        return receptions
