"""Forms of the sales and export pages: a sales contract and its filters, the price fixing, a
shipment, a container, a lot loaded into it and a document uploaded. They parse what the user
typed; the rules (transitions, ISO 6346, stock, varieties, EUDR mixing) live in
erp.export.services."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from erp.contracts.models import Contract, ContractStatus, PriceType, Variety
from erp.export.models import SalesContract, SalesStatus, Shipment, ShipmentDocumentKind, ShipmentStatus
from erp.export.services import SALES_FIELDS, SHIPMENT_FIELDS
from erp.lots.selectors import lot_named
from erp.partners.models import Partner, PartnerKind

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
DOCUMENT_TYPES = "application/pdf,image/png,image/jpeg,image/webp"


def _all(choices) -> list:
    return [("", _("All")), *choices]


class SalesFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_all(SalesStatus.choices))
    buyer = forms.ModelChoiceField(
        label=_("Buyer"), required=False, queryset=Partner.objects.none(), empty_label=_("All")
    )
    variety = forms.ChoiceField(label=_("Variety"), required=False, choices=_all(Variety.choices))
    price_type = forms.ChoiceField(label=_("Price type"), required=False, choices=_all(PriceType.choices))

    def __init__(self, *args, buyers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = buyers

    def apply(self, sales):
        data = self.cleaned_data
        if term := data["q"].strip():
            sales = sales.filter(
                Q(code__icontains=term) | Q(buyer__name__icontains=term) | Q(buyer_reference__icontains=term)
            )
        for field in ("status", "buyer", "variety", "price_type"):
            if data[field]:
                sales = sales.filter(**{field: data[field]})
        return sales


class SalesContractForm(forms.ModelForm):
    class Meta:
        model = SalesContract
        fields = [*SALES_FIELDS, "purchase_contracts"]
        localized_fields = ["quantity_tm", "price_usd_per_tm", "differential_usd_per_tm"]
        widgets = {
            "shipment_from": DATE,
            "shipment_to": DATE,
            "quality_terms": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "purchase_contracts": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {
            "differential_usd_per_tm": _("Positive: a premium the buyer pays over the futures price."),
            "destination_country": _("Two letters, e.g. DE, NL, BE."),
        }

    def __init__(self, *args, partners, purchase_contracts, **kwargs):
        """``partners`` and ``purchase_contracts`` are those the user sees; a sale keeps its own
        parties and purchase contracts as choices even when they would no longer be offered."""
        super().__init__(*args, **kwargs)
        instance = self.instance
        current = Partner.objects.filter(pk__in=[instance.buyer_id, instance.exporter_id])
        parties = (partners | current).distinct().order_by("name")
        self.fields["buyer"].queryset = parties.filter(kind=PartnerKind.BUYER)
        self.fields["exporter"].queryset = parties.filter(kind=PartnerKind.EXPORTER)
        offered = Q(pk__in=purchase_contracts.exclude(status=ContractStatus.CANCELLED).values("pk"))
        if instance.pk:
            offered |= Q(pk__in=instance.purchase_contracts.values("pk"))
        self.fields["purchase_contracts"].queryset = (
            Contract.objects.filter(offered).select_related("counterparty").order_by("code")
        )
        self.fields["purchase_contracts"].label_from_instance = lambda c: f"{c.code} · {c.counterparty.name}"
        for name in ("buyer", "exporter"):
            if len(choices := list(self.fields[name].queryset[:2])) == 1 and not instance.pk:
                self.initial.setdefault(name, choices[0].pk)

    def _post_clean(self):
        """The service validates the sale (model rules included)."""


class SalesStatusForm(forms.Form):
    status = forms.ChoiceField(choices=SalesStatus.choices)


class FixPriceForm(forms.Form):
    futures_usd_per_tm = forms.DecimalField(
        label=_("Futures price (USD/TM)"), max_digits=12, decimal_places=2, localize=True
    )
    fixed_on = forms.DateField(
        label=_("Fixed on"), required=False, widget=DATE, help_text=_("Today if empty.")
    )

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if not data["fixed_on"]:
            del data["fixed_on"]
        return data


class ShipmentForm(forms.ModelForm):
    class Meta:
        model = Shipment
        fields = ["sales_contract", *SHIPMENT_FIELDS]
        widgets = {"etd": DATE, "eta": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, sales=None, **kwargs):
        """``sales`` are the choices of a new shipment; an existing one stays with its sale."""
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["sales_contract"]
        else:
            self.fields["sales_contract"].queryset = sales
            self.fields["sales_contract"].label_from_instance = lambda s: f"{s.code} · {s.buyer.name}"

    def _post_clean(self):
        """The service validates the shipment (model rules included)."""

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        return {"sales_contract": data.pop("sales_contract"), **data}


class ShipmentStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ShipmentStatus.choices)


class ContainerForm(forms.Form):
    number = forms.CharField(
        label=_("Container number"),
        max_length=20,
        help_text=_("ISO 6346: owner code, serial number and check digit, e.g. CSQU3054383."),
    )
    seal_number = forms.CharField(label=_("Seal"), max_length=30, required=False)
    size = forms.CharField(label=_("Size"), max_length=8, initial="20DV", required=False)


class LoadForm(forms.Form):
    """A lot by its code (the page suggests the lots in stock of the sale's variety), the
    warehouse it leaves and the kilograms loaded into one of the shipment's containers."""

    container = forms.ModelChoiceField(label=_("Container"), queryset=None, empty_label=None)
    lot = forms.CharField(
        label=_("Lot code"), max_length=40, widget=forms.TextInput(attrs={"list": "lots-in-stock"})
    )
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=None)
    kg = forms.DecimalField(label=_("Net (kg)"), max_digits=12, decimal_places=2, localize=True)
    sacks = forms.IntegerField(label=_("Sacks"), min_value=0, max_value=100000, initial=0, required=False)

    def __init__(self, *args, containers, lots, warehouses, **kwargs):
        super().__init__(*args, **kwargs)
        self.lots = lots
        self.fields["container"].queryset = containers
        self.fields["warehouse"].queryset = warehouses
        if len(choices := list(warehouses[:2])) == 1:
            self.initial.setdefault("warehouse", choices[0].pk)

    def clean_lot(self):
        lot = lot_named(self.lots, self.cleaned_data["lot"])
        if lot is None:
            raise forms.ValidationError(_("There is no lot with this code among the lots you may see."))
        return lot

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("container")
        data["sacks"] = data["sacks"] or 0
        return data


class ShipmentDocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ShipmentDocumentKind.choices)
    number = forms.CharField(label=_("Number"), max_length=60)
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=DATE)
    file = forms.FileField(
        label=_("File (PDF or image)"),
        allow_empty_file=True,  # the upload check reports an empty file
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_TYPES}),
    )

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        return {"uploaded_file": data.pop("file"), **data}
