"""Demo plots for `bootstrap_demo`: a member's parcel of the demo association near Calceta
(Manabí), a verified polygon with its evidence, and the Finca La Esperanza near Chone, a
point still pending; each named as the origin of its supplier's demo receptions (so a lot
page shows its EUDR status through the genealogy)."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from .services import evidence_upload, plot_create, plot_set_status, reception_plots_set

# About 11.5 ha, written as surveyed: longitude first, six decimals.
CALCETA = [
    ["-80.163431", "-0.846212"],
    ["-80.160701", "-0.846152"],
    ["-80.160611", "-0.849562"],
    ["-80.163381", "-0.849632"],
    ["-80.163431", "-0.846212"],
]
CHONE = ["-80.093978", "-0.698254"]  # a 3.5 ha finca: a point is enough up to 4 ha


def demo_eudr_populate(*, admin, suppliers, receptions) -> list:
    """Plots of ``suppliers`` (a list of two supplier partners); each of ``receptions`` (the
    reception demo's) names the plot of its supplier."""
    from erp.demo import minimal_pdf

    polygon = {"type": "Polygon", "coordinates": [[[Decimal(x), Decimal(y)] for x, y in CALCETA]]}
    verified = plot_create(
        user=admin, supplier=suppliers[0], name="Parcela El Mate (Pedro Zambrano)", area_ha=Decimal("11.5"),
        geometry=polygon, deforestation_free=True,
    )  # fmt: skip
    evidence_upload(
        plot=verified, user=admin, kind="deforestation", title="Análisis satelital 2020–2026",
        uploaded_file=SimpleUploadedFile("analisis.pdf", minimal_pdf("Análisis"), "application/pdf"),
    )  # fmt: skip
    plot_set_status(
        plot=verified, user=admin, status="verified", note="Imágenes 2020 y 2026 sin pérdida de bosque"
    )
    pending = plot_create(
        user=admin, supplier=suppliers[1 % len(suppliers)], name="Finca La Esperanza", area_ha=Decimal("3.5"),
        geometry={"type": "Point", "coordinates": [Decimal(value) for value in CHONE]},
    )  # fmt: skip
    by_supplier = {verified.supplier_id: verified, pending.supplier_id: pending}
    for reception in receptions:
        plot = by_supplier.get(reception.supplier_id)
        if plot is not None:
            reception_plots_set(reception=reception, plots=[plot], user=admin)
    return [verified, pending]
