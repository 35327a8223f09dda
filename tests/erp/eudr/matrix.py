"""The EUDR rows of the permission matrix (docs/permissions/eudr.md): the fixture objects
their paths name and the bodies of the rows that write."""

from django.core.files.uploadedfile import SimpleUploadedFile

from erp.reception.models import Reception

from .helpers import evidence_file, plot
from .helpers import reception_from as _reception_from


def _received_from_supplier(world) -> Reception:
    """A reception from the supplier at the center (so the center sees the supplier's plots)."""
    existing = Reception.objects.filter(supplier=world.partners["supplier"], center=world.partners["center"])
    return existing.first() or _reception_from(world, [])


def _supplier_plot(world):
    _received_from_supplier(world)
    return plot(world)


def _evidence(world):
    from erp.eudr.services import evidence_upload

    return evidence_upload(
        plot=_supplier_plot(world), user=world.users["admin"], kind="land_title", title="Escritura",
        uploaded_file=evidence_file(),
    )  # fmt: skip


PREPARE = {
    "plot:supplier": _supplier_plot,
    "plot:supplier2": lambda world: plot(world, supplier="supplier2", name="Finca Vecina"),
    "plot:free": lambda world: plot(world, name="Finca Libre"),
    "evidence:supplier": _evidence,
    "reception:center": _received_from_supplier,
}


def _csv():
    content = "code,name,area_ha,longitude,latitude\nN1,Finca Nueva,1.5,-79.512345,-1.512345\n"
    return SimpleUploadedFile("fincas.csv", content.encode(), content_type="text/csv")


def bodies(world) -> dict:
    from django_tenants.utils import tenant_context

    with tenant_context(world.company):
        _received_from_supplier(world)
    point = {"type": "Point", "coordinates": [-79.512345, -1.512345]}
    return {
        ("POST", "/api/v1/eudr/plots/"): {
            "supplier": world.partners["supplier"].pk,
            "name": "Finca El Cisne",
            "area_ha": "2.5",
            "geometry": point,
        },  # fmt: skip
        ("PATCH", "/api/v1/eudr/plots/{plot:supplier}/"): {"name": "Finca El Cisne Alto"},
        ("PATCH", "/api/v1/eudr/plots/{plot:supplier2}/"): {"name": "Finca Vecina Alta"},
        ("POST", "/api/v1/eudr/plots/{plot:supplier}/status/"): {"status": "pending"},
        ("POST", "/api/v1/eudr/plots/{plot:supplier}/evidence/"): {
            "kind": "land_use",
            "title": "Uso de suelo",
            "file": evidence_file(),
        },  # fmt: skip
        ("POST", "/api/v1/eudr/plots/import/"): {
            "file": _csv(),
            "supplier": str(world.partners["supplier"].pk),
        },
        ("PUT", "/api/v1/eudr/receptions/{reception:center}/plots/"): {"plots": []},
    }
