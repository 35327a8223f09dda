"""Shared set-up of the EUDR tests: plots as GeoJSON with six-decimal coordinates, a plot
made verified through the services, and a reception naming its plots."""

import math
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from erp.demo import minimal_pdf
from erp.eudr.services import evidence_upload, plot_create, plot_set_status, reception_plots_set
from tests.erp.reception.helpers import make as make_reception

# Near the equator on the WGS84 ellipsoid: a degree of latitude, and of longitude at 0°.
METRES_PER_DEGREE_LAT = 110_574
METRES_PER_DEGREE_LON = 111_320


def square(*, lon: str = "-79.500000", lat: str = "-1.500000", side_m: int = 200) -> dict:
    """A square polygon of ``side_m`` metres with its south-west corner at lon/lat."""
    west, south = Decimal(lon), Decimal(lat)
    dlat = Decimal(side_m / METRES_PER_DEGREE_LAT).quantize(Decimal("0.000001"))
    dlon = Decimal(side_m / (METRES_PER_DEGREE_LON * math.cos(math.radians(float(south))))).quantize(
        Decimal("0.000001")
    )
    ring = [
        [west, south],
        [west + dlon, south],
        [west + dlon, south + dlat],
        [west, south + dlat],
        [west, south],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def point(lon: str = "-79.512345", lat: str = "-1.512345") -> dict:
    return {"type": "Point", "coordinates": [Decimal(lon), Decimal(lat)]}


def evidence_file() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "titulo.pdf", minimal_pdf("Titulo de propiedad"), content_type="application/pdf"
    )


def plot(world, *, supplier="supplier", name="Finca La Esperanza", verified=False, geometry=None, area="2"):
    """A plot of the supplier (inside the company's tenant context); verified with evidence."""
    admin = world.users["admin"]
    made = plot_create(
        user=admin,
        supplier=world.partners[supplier],
        name=name,
        area_ha=Decimal(area),
        geometry=geometry or point(),
        deforestation_free=verified,
    )
    if verified:
        evidence_upload(
            plot=made,
            user=admin,
            kind="deforestation",
            title="Análisis satelital",
            uploaded_file=evidence_file(),
        )
        plot_set_status(plot=made, user=admin, status="verified")
    return made


def reception_from(world, plots, *, supplier="supplier", **changes):
    """A reception of the supplier naming ``plots`` as its origin; returns it."""
    reception = make_reception(world, supplier=supplier, **changes)
    reception_plots_set(reception=reception, plots=plots, user=world.users["admin"])
    return reception
