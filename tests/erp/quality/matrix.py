"""The quality rows of the permission matrix (docs/permissions/quality.md): the fixture objects
their paths name and the bodies of the rows that write."""

from django.core.files.uploadedfile import SimpleUploadedFile

from erp.demo import minimal_pdf

from .helpers import analysis_body, on_center_contract, png_file


def _analysis(world, name: str):
    from erp.quality.services import analysis_create

    body = analysis_body(world.lots[name])
    lot = world.lots[name]
    del body["lot"]
    return analysis_create(lot=lot, user=world.users["admin"], **body)


def _failing(world):
    on_center_contract(world, max_slaty_percent="1")  # the body has 3 % slaty
    return _analysis(world, "center")


def _photo(world):
    from erp.quality.services import analysis_photo_add

    return analysis_photo_add(
        analysis=_analysis(world, "supplier"), uploaded_file=png_file(), user=world.users["admin"]
    )


def _certificate(world, name: str):
    from erp.quality.services import certificate_create

    where = {"lot": world.lots["center"]} if name == "center" else {"partner": world.partners["supplier"]}
    pdf = SimpleUploadedFile(
        "organico.pdf", minimal_pdf("Certificado orgánico"), content_type="application/pdf"
    )
    return certificate_create(
        user=world.users["admin"],
        uploaded_file=pdf,
        kind="organic",
        number=f"ORG-{name}",
        issuer="BCS Öko-Garantie",
        valid_from="2026-01-01",
        valid_to="2027-12-31",
        **where,
    )


PREPARE = {
    "analysis:center": lambda world: _analysis(world, "center"),
    "analysis:supplier": lambda world: _analysis(world, "supplier"),
    "analysis:failing": _failing,
    "photo:supplier": _photo,
    "certificate:center": lambda world: _certificate(world, "center"),
    "certificate:supplier": lambda world: _certificate(world, "supplier"),
}


def bodies(world) -> dict:
    center_lot = world.lots["center"]
    return {
        ("POST", "/api/v1/quality/analyses/"): analysis_body(center_lot),
        ("POST", "/api/v1/quality/analyses/{analysis:failing}/reject-lot/"): {},
        ("POST", "/api/v1/quality/analyses/{analysis:center}/photos/"): {"file": png_file()},
        ("POST", "/api/v1/quality/analyses/{analysis:supplier}/photos/"): {"file": png_file()},
        ("POST", "/api/v1/quality/certificates/"): {
            "lot": center_lot.pk,
            "kind": "fairtrade",
            "number": "FLO-77",
            "issuer": "FLOCERT",
            "valid_from": "2026-01-01",
            "valid_to": "2027-01-01",
        },
        ("PATCH", "/api/v1/quality/certificates/{certificate:center}/"): {"number": "ORG-9"},
        ("PUT", "/api/v1/quality/terms/{contract:center}/"): {"max_moisture_percent": "7.5"},
    }
