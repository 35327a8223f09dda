"""Forms of the EUDR pages: a plot with its geometry typed as GeoJSON, the plots filter, evidence,
verification, imports and a reception's plots of origin. They parse what the user typed; the rules
(geometry, areas, verification) live in erp.eudr.services."""

import json
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from erp.eudr.geometry import geojson_dumps
from erp.eudr.models import EvidenceKind, Plot, PlotStatus
from erp.partners.models import Partner

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
EVIDENCE_TYPES = "application/pdf,image/png,image/jpeg,image/webp"
IMPORT_TYPES = ".geojson,.json,.csv,application/geo+json,text/csv"
IMPORT_FORMATS = {"geojson": "GeoJSON", "csv": "CSV"}
# As DRF's SearchFilter splits the API's ``search``: every term must match one of the fields.
SEARCH_TERMS = re.compile(r"[\s,]+")


def _refused_constant(name: str):
    raise ValueError(gettext("%(name)s is not a number JSON allows") % {"name": name})


def geometry_parsed(text: str):
    """The GeoJSON the user typed, numbers as Decimal so "-79.100000" keeps its six decimals."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_refused_constant)
    except ValueError as error:  # json.JSONDecodeError is a ValueError
        raise ValidationError(
            gettext("This is not valid JSON (%(error)s).") % {"error": error}, code="invalid_json"
        ) from error


class PlotForm(forms.ModelForm):
    geometry = forms.CharField(
        label=_("Geometry (GeoJSON)"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "code"}),
        help_text=_(
            'For example {"type": "Point", "coordinates": [-79.512345, -1.512345]}. A Polygon\'s boundary '
            "is closed (its last position repeats the first) and does not cross itself; a MultiPolygon "
            "holds several."
        ),
    )

    class Meta:
        model = Plot
        fields = ["supplier", "name", "farmer_id", "area_ha", "geometry", "deforestation_free"]
        localized_fields = ["area_ha"]
        labels = {"deforestation_free": _("Declared free of deforestation after 31 December 2020")}

    def __init__(self, *args, suppliers=None, **kwargs):
        """``suppliers`` are the choices of a new plot; an existing plot stays with its own."""
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["supplier"]
            self.initial["geometry"] = geojson_dumps(self.instance.geometry).decode()
        else:
            self.fields["supplier"].queryset = suppliers
            if len(choices := list(suppliers[:2])) == 1:
                self.initial.setdefault("supplier", choices[0].pk)

    def clean_geometry(self):
        return geometry_parsed(self.cleaned_data["geometry"])

    def _post_clean(self):
        """The service validates the plot (geometry, areas, model rules)."""


class PlotFilterForm(forms.Form):
    """The list's filters, named as the API's (``supplier``, ``status``, ``search``) so that the
    same query string downloads the GeoJSON of the plots listed."""

    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Partner.objects.none(), required=False)
    status = forms.ChoiceField(
        label=_("Verification"), required=False, choices=[("", _("All")), *PlotStatus.choices]
    )
    search = forms.CharField(label=_("Search"), required=False, max_length=120)

    def __init__(self, *args, suppliers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = suppliers

    def apply(self, plots):
        data = self.cleaned_data
        if data["supplier"]:
            plots = plots.filter(supplier=data["supplier"])
        if data["status"]:
            plots = plots.filter(status=data["status"])
        for term in SEARCH_TERMS.split(data["search"].strip()):
            if term:
                plots = plots.filter(
                    Q(code__icontains=term)
                    | Q(name__icontains=term)
                    | Q(farmer_id__icontains=term)
                    | Q(supplier__name__icontains=term)
                )
        return plots


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EvidenceKind.choices)
    title = forms.CharField(label=_("Title"), max_length=160)
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=DATE)
    file = forms.FileField(
        label=_("File (PDF or image)"),
        allow_empty_file=True,  # the upload check reports an empty file
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_TYPES}),
    )

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        return {"uploaded_file": data.pop("file"), **data}


class PlotStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Verification"), choices=PlotStatus.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Say why when you reject a plot."),
    )


class PlotImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (GeoJSON or CSV)"),
        allow_empty_file=True,  # the import reports an empty file
        widget=forms.ClearableFileInput(attrs={"accept": IMPORT_TYPES}),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("From the file's extension")), *IMPORT_FORMATS.items()],
    )
    supplier = forms.ModelChoiceField(
        label=_("Supplier"),
        queryset=Partner.objects.none(),
        required=False,
        help_text=_("For rows that do not give their supplier's RUC or cédula."),
    )

    def __init__(self, *args, suppliers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = suppliers

    def file_format(self) -> str:
        if self.cleaned_data["format"]:
            return self.cleaned_data["format"]
        return "csv" if (self.cleaned_data["file"].name or "").lower().endswith(".csv") else "geojson"


class ReceptionPlotsForm(forms.Form):
    plots = forms.ModelMultipleChoiceField(
        label=_("Plots of origin"),
        queryset=Plot.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, plots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plots"].queryset = plots
        self.fields["plots"].label_from_instance = lambda plot: f"{plot.code} · {plot.name}"
