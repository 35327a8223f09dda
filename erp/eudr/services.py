"""Writes of the EUDR app: plots (checked geometry, declaration, verification), their
evidence files, plot imports, and the plots of origin of a reception."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.codes import code_next
from erp.files import stored_file_create
from erp.partners.models import Partner, PartnerKind
from erp.reception.models import Reception
from triboka.audit.services import audit_record, audit_record_changes

from .geometry import geometry_checked
from .models import RETENTION_YEARS, EvidenceKind, Plot, PlotEvidence, PlotStatus
from .plot_files import PlotRow, plots_from_csv, plots_from_geojson

# A GeoJSON of 10 MB holds some 50,000 six-decimal points: far beyond a company's plots.
IMPORT_MAX_BYTES = 10 * 1024 * 1024
PLOT_FIELDS = ("name", "farmer_id", "area_ha", "geometry", "deforestation_free")


def retention_date(start: date | None = None) -> date:
    """Five years from ``start`` (today), 29 February falling on 28 February."""
    start = start or timezone.localdate()
    try:
        return start.replace(year=start.year + RETENTION_YEARS)
    except ValueError:
        return start.replace(year=start.year + RETENTION_YEARS, day=28)


def _supplier_check(supplier) -> None:
    if supplier is None or supplier.kind != PartnerKind.SUPPLIER or supplier.deleted_at is not None:
        raise ValidationError({"supplier": _("Choose a supplier (a partner of kind supplier).")})


def _apply_geometry(plot: Plot, geometry: dict) -> list[str]:
    checked = geometry_checked(geometry=geometry, declared_area_ha=plot.area_ha)
    plot.geometry, plot.geometry_kind = checked.geometry, checked.kind
    plot.measured_area_ha = checked.area_ha
    plot.centroid_lon, plot.centroid_lat = checked.centroid
    plot.geometry_warnings = list(checked.warnings)
    return plot.geometry_warnings


def _declare(plot: Plot, free: bool) -> None:
    plot.deforestation_free = bool(free)
    plot.deforestation_declared_at = timezone.now() if free else None


def plot_create(
    *,
    user,
    supplier: Partner,
    name: str,
    area_ha: Decimal,
    geometry: dict,
    farmer_id: str = "",
    deforestation_free: bool = False,
) -> Plot:
    """A supplier's plot, its geometry checked (``erp.eudr.geometry``); pending verification."""
    _supplier_check(supplier)
    plot = Plot(supplier=supplier, name=name, area_ha=area_ha, farmer_id=farmer_id, created_by=user)
    _area_check(area_ha)
    _apply_geometry(plot, geometry)
    _declare(plot, deforestation_free)
    plot.full_clean(exclude=["code"])
    with transaction.atomic():
        plot.code = code_next("PL", 5)
        plot.save()
        audit_record(action="eudr.plot.create", target=plot, actor=user, after=_audited(plot))
    return plot


def _area_check(area_ha) -> None:
    if area_ha is None or Decimal(area_ha) <= 0:
        raise ValidationError({"area_ha": _("The declared area must be more than 0 ha.")})


def _audited(plot: Plot) -> dict:
    return {
        "supplier": plot.supplier_id,
        "name": plot.name,
        "area_ha": str(plot.area_ha),
        "geometry_kind": plot.geometry_kind,
        "centroid": [str(plot.centroid_lon), str(plot.centroid_lat)],
        "deforestation_free": plot.deforestation_free,
        "status": plot.status,
    }


def plot_update(*, plot: Plot, user, **changes) -> Plot:
    """Changes a plot's data. A new geometry or area is checked again, and a plot whose
    geometry, area or declaration changes goes back to pending verification."""
    unknown = set(changes) - set(PLOT_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    before = _audited(plot)
    for field in ("name", "farmer_id", "area_ha"):
        if field in changes:
            setattr(plot, field, changes[field])
    _area_check(plot.area_ha)
    if "geometry" in changes or "area_ha" in changes:
        _apply_geometry(plot, changes.get("geometry", plot.geometry))
    if "deforestation_free" in changes and bool(changes["deforestation_free"]) != plot.deforestation_free:
        _declare(plot, changes["deforestation_free"])
    after = _audited(plot)
    if any(
        before[key] != after[key] for key in ("area_ha", "geometry_kind", "centroid", "deforestation_free")
    ) or ("geometry" in changes):
        plot.status, plot.status_note = PlotStatus.PENDING, ""
        after["status"] = plot.status
    plot.full_clean()
    with transaction.atomic():
        plot.save()
        audit_record_changes(action="eudr.plot.update", target=plot, actor=user, before=before, after=after)
    return plot


def plot_set_status(*, plot: Plot, user, status: str, note: str = "") -> Plot:
    """Verification by the company: a plot is verified only when declared deforestation-free
    with at least one piece of evidence; a rejection says why."""
    if status not in PlotStatus.values:
        raise ValidationError({"status": _("Choose pending, verified or rejected.")})
    if status == PlotStatus.VERIFIED:
        if not plot.deforestation_free:
            raise ValidationError(
                {"status": _("Declare the plot free of deforestation after 31 Dec 2020 before verifying it.")}
            )
        if not plot.evidence.exists():
            raise ValidationError(
                {"status": _("Add the evidence behind the declaration before verifying it.")}
            )
    if status == PlotStatus.REJECTED and not note.strip():
        raise ValidationError({"note": _("Say why the plot is rejected.")})
    before = {"status": plot.status, "note": plot.status_note}
    plot.status, plot.status_note = status, note.strip()
    plot.status_changed_at, plot.status_changed_by = timezone.now(), user
    with transaction.atomic():
        plot.save(
            update_fields=["status", "status_note", "status_changed_at", "status_changed_by", "updated_at"]
        )
        audit_record(
            action="eudr.plot.status",
            target=plot,
            actor=user,
            before=before,
            after={"status": status, "note": note},
        )
    return plot


def plot_delete(*, plot: Plot, user) -> None:
    """Only a plot no reception names and no statement kept (five years) may go."""
    if plot.receptions.exists():
        raise ValidationError({"plot": _("Receptions name this plot as their origin: it is kept.")})
    if plot.retain_until and plot.retain_until >= timezone.localdate():
        raise ValidationError(
            {"plot": _("This plot is behind a due diligence statement and is kept until %(day)s.")
             % {"day": plot.retain_until.isoformat()}}
        )  # fmt: skip
    names = list(plot.evidence.values_list("file", flat=True))
    with transaction.atomic():
        audit_record(action="eudr.plot.delete", target=plot, actor=user, before=_audited(plot))
        plot.evidence.all().delete()
        plot.delete()
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def evidence_upload(
    *, plot: Plot, user, kind: str, title: str, uploaded_file: UploadedFile, issued_on: date | None = None
) -> PlotEvidence:
    if kind not in EvidenceKind.values:
        raise ValidationError({"kind": _("Choose the kind of evidence.")})
    with transaction.atomic():
        evidence = stored_file_create(
            PlotEvidence, uploaded_file=uploaded_file, folder="eudr/evidence", user=user,
            plot=plot, kind=kind, title=title, issued_on=issued_on,
        )  # fmt: skip
        audit_record(action="eudr.evidence.upload", target=evidence, actor=user, after={"plot": plot.code})
    return evidence


def evidence_delete(*, evidence: PlotEvidence, user) -> None:
    if evidence.retain_until and evidence.retain_until >= timezone.localdate():
        raise ValidationError(
            {"evidence": _("This evidence is behind a due diligence statement and is kept until %(day)s.")
             % {"day": evidence.retain_until.isoformat()}}
        )  # fmt: skip
    name = evidence.file.name
    with transaction.atomic():
        audit_record(
            action="eudr.evidence.delete", target=evidence, actor=user, before={"plot": evidence.plot.code}
        )
        evidence.delete()
        transaction.on_commit(lambda: default_storage.delete(name))


def plots_retain(*, plots) -> None:
    """Keeps the plots and their evidence five years from today (a statement names them)."""
    until = retention_date()
    ids = [plot.pk for plot in plots]
    Plot.objects.filter(pk__in=ids).exclude(retain_until__gte=until).update(retain_until=until)
    PlotEvidence.objects.filter(plot_id__in=ids).exclude(retain_until__gte=until).update(retain_until=until)


def plots_import(*, user, data: bytes, file_format: str, supplier: Partner | None = None) -> list[Plot]:
    """Plots from a GeoJSON FeatureCollection or a CSV of coordinates, all or none: every
    row is checked and every problem reported with its feature or line number."""
    parser = {"geojson": plots_from_geojson, "csv": plots_from_csv}.get(file_format)
    if parser is None:
        raise ValidationError({"format": _("Choose GeoJSON or CSV.")})
    if len(data) > IMPORT_MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)s MB.") % {"mb": IMPORT_MAX_BYTES // 2**20}}
        )
    rows = parser(data)
    suppliers = _import_suppliers(rows, supplier)
    problems, plots = [], []
    with transaction.atomic():
        for row in rows:
            try:
                plots.append(_import_row(row, suppliers, user))
            except ValidationError as error:
                problems.extend(_row_messages(row, error))
        if problems:
            transaction.set_rollback(True)
    if problems:
        raise ValidationError({"file": problems})
    return plots


def _import_suppliers(rows: list[PlotRow], supplier) -> dict[str, Partner]:
    tax_ids = {row.supplier_tax_id for row in rows if row.supplier_tax_id}
    found = {
        partner.tax_id: partner
        for partner in Partner.objects.filter(tax_id__in=tax_ids, kind=PartnerKind.SUPPLIER)
    }
    if supplier is not None:
        found[""] = supplier
    return found


def _import_row(row: PlotRow, suppliers: dict[str, Partner], user) -> Plot:
    supplier = suppliers.get(row.supplier_tax_id or "")
    if supplier is None:
        message = (
            _("No supplier with RUC/cédula %(id)s.") % {"id": row.supplier_tax_id}
            if row.supplier_tax_id
            else _("Choose the supplier, or give its RUC/cédula on each row.")
        )
        raise ValidationError({"supplier": message})
    with transaction.atomic():
        return plot_create(
            user=user,
            supplier=supplier,
            name=row.name,
            area_ha=row.area_ha,
            geometry=row.geometry,
            farmer_id=row.farmer_id or "",
        )


def _row_messages(row: PlotRow, error: ValidationError) -> list[str]:
    place = _("Plot %(index)s (%(name)s)") % {"index": row.index, "name": row.name or row.code or "?"}
    if hasattr(error, "error_dict"):
        return [f"{place}: {message}" for messages in error.message_dict.values() for message in messages]
    return [f"{place}: {message}" for message in error.messages]


def reception_plots_set(*, reception: Reception, plots, user) -> Reception:
    """The plots a reception's beans came from: plots of the reception's supplier only."""
    plots = list(plots)
    if reception.voided_at is not None:
        raise ValidationError({"plots": _("This reception is void.")})
    foreign = [plot.code for plot in plots if plot.supplier_id != reception.supplier_id]
    if foreign:
        raise ValidationError(
            {"plots": _("These plots are not the supplier's: %(codes)s.") % {"codes": ", ".join(foreign)}}
        )
    before = sorted(reception.plots.values_list("code", flat=True))
    with transaction.atomic():
        reception.plots.set(plots)
        audit_record_changes(
            action="eudr.reception.plots",
            target=reception,
            actor=user,
            before={"plots": before},
            after={"plots": sorted(plot.code for plot in plots)},
        )
    return reception
