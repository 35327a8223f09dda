"""Forms of the reception pages. They parse what the user typed; the rules (weights, prices,
open lots, readings) live in erp.reception.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from erp.access import is_company_side, lots_visible_to, user_partner_id
from erp.contracts.models import Variety
from erp.lots.models import Lot, LotStatus, ProductForm
from erp.partners.models import Partner, PartnerKind
from erp.reception.models import PriceMode
from erp.reception.selectors import readings_unassigned
from iot.models import Reading

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
DECIMAL = {"max_digits": 12, "decimal_places": 2, "required": False, "localize": True}


def _centers(user):
    centers = Partner.objects.filter(kind=PartnerKind.CENTER, is_active=True).order_by("name")
    return centers if is_company_side(user) else centers.filter(pk=user_partner_id(user))


class ReceptionForm(forms.Form):
    center = forms.ModelChoiceField(label=_("Collection center"), queryset=Partner.objects.none())
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Partner.objects.none())
    received_at = forms.DateTimeField(
        label=_("Received at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    form = forms.ChoiceField(label=_("Form"), choices=ProductForm.choices)
    variety = forms.ChoiceField(label=_("Variety"), choices=Variety.choices)
    reading = forms.ModelChoiceField(
        label=_("From an IoT scale reading"),
        queryset=None,
        required=False,
        help_text=_("Its weights and moisture replace those typed below."),
    )
    gross_weight_kg = forms.DecimalField(label=_("Gross (kg)"), min_value=0, **DECIMAL)
    tare_weight_kg = forms.DecimalField(label=_("Tare (kg)"), min_value=0, **DECIMAL)
    net_weight_kg = forms.DecimalField(
        label=_("Net (kg)"), help_text=_("Empty: gross − tare."), min_value=0, **DECIMAL
    )
    sacks = forms.IntegerField(label=_("Sacks"), min_value=0, max_value=100000, initial=0, required=False)
    moisture_percent = forms.DecimalField(
        label=_("Moisture (%)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        required=False,
        localize=True,
    )
    impurities_percent = forms.DecimalField(
        label=_("Impurities (%)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        initial=0,
        localize=True,
    )
    price_mode = forms.ChoiceField(label=_("Price"), choices=PriceMode.choices)
    price_usd_per_qq = forms.DecimalField(label=_("Price (USD/qq)"), min_value=0, **DECIMAL)
    spot_usd_per_tm = forms.DecimalField(label=_("Spot (USD/TM)"), min_value=0, **DECIMAL)
    differential_usd_per_tm = forms.DecimalField(label=_("Differential (USD/TM)"), **DECIMAL)
    lot = forms.ModelChoiceField(
        label=_("Add to an open lot"),
        queryset=None,
        required=False,
        empty_label=_("A new lot"),
        help_text=_("A received lot of the same center, form and variety."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        centers = _centers(user)
        self.fields["center"].queryset = centers
        if not is_company_side(user):
            self.fields["center"].initial = user_partner_id(user)
            self.fields["center"].disabled = True  # a center receives only at itself
        self.fields["supplier"].queryset = Partner.objects.filter(
            kind=PartnerKind.SUPPLIER, is_active=True
        ).order_by("name")
        self.fields["lot"].queryset = lots_visible_to(
            user, Lot.objects.filter(status=LotStatus.RECEIVED, owner__kind=PartnerKind.CENTER)
        ).select_related("owner")
        center_id = None if is_company_side(user) else user_partner_id(user)
        recent = [reading.pk for reading in readings_unassigned(user=user, center_id=center_id)]
        self.fields["reading"].queryset = Reading.objects.filter(pk__in=recent).select_related("device")
        self.fields["reading"].label_from_instance = _reading_label
        self.fields["lot"].label_from_instance = _lot_label


def _reading_label(reading) -> str:
    moisture = "" if reading.moisture_percent is None else f" · {reading.moisture_percent} %"
    return f"{reading.device.name} · {reading.measured_at:%Y-%m-%d %H:%M} · {reading.net_kg} kg{moisture}"


def _lot_label(lot) -> str:
    kind = f"{lot.get_form_display()} · {lot.get_variety_display()}"
    return f"{lot.code} · {lot.owner.name} · {kind} · {lot.weight_kg} kg"


class ReceptionFilterForm(forms.Form):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Partner.objects.none(), required=False)
    center = forms.ModelChoiceField(
        label=_("Collection center"), queryset=Partner.objects.none(), required=False
    )
    form = forms.ChoiceField(label=_("Form"), choices=[("", _("All")), *ProductForm.choices], required=False)
    variety = forms.ChoiceField(
        label=_("Variety"), choices=[("", _("All")), *Variety.choices], required=False
    )
    received_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    received_to = forms.DateField(label=_("To"), required=False, widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        partners = Partner.objects.order_by("name")
        suppliers = partners.filter(kind=PartnerKind.SUPPLIER)
        if getattr(user, "role", None) == "supplier":  # a supplier's receptions are all its own
            suppliers = suppliers.filter(pk=user_partner_id(user))
        self.fields["supplier"].queryset = suppliers
        self.fields["center"].queryset = partners.filter(kind=PartnerKind.CENTER)

    def apply(self, receptions):
        data = self.cleaned_data
        for field in ("supplier", "center", "form", "variety"):
            if data[field]:
                receptions = receptions.filter(**{field: data[field]})
        if data["received_from"]:
            receptions = receptions.filter(received_at__date__gte=data["received_from"])
        if data["received_to"]:
            receptions = receptions.filter(received_at__date__lte=data["received_to"])
        return receptions


class ReceptionVoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
