from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .providers import payment_providers


class PaymentRecordForm(forms.Form):
    """A payment staff saw arrive; the service checks it against the invoice. Field names
    are the service's, so its field errors land beside the right input."""

    amount_usd = forms.DecimalField(label=_("Amount (USD)"), max_digits=12, decimal_places=2)
    reference = forms.CharField(
        label=_("Reference"), max_length=100, help_text=_("The bank's number of the transfer or deposit.")
    )
    received_on = forms.DateField(label=_("Received on"), initial=timezone.localdate)
    provider = forms.ChoiceField(label=_("Payment provider"))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, invoice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [(name, p.label) for name, p in payment_providers().items()]
        self.fields["provider"].initial = invoice.provider
        self.fields["amount_usd"].initial = invoice.balance_usd


class InvoiceVoidForm(forms.Form):
    note = forms.CharField(label=_("Why"), max_length=300, required=False)
