"""Shared setup of the quality tests: cut-test bodies, terms on the center's contract."""

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from PIL import Image

from erp.contracts.services import contract_assign_lot

COUNTS_100 = {  # ASSPS: 86 + 10 + 3 + 1 = 100
    "well_fermented": 86,
    "partly_fermented": 10,
    "slaty": 3,
    "mouldy": 1,
    "insect_damaged": 0,
    "germinated": 0,
    "flat": 0,
}


def analysis_body(lot, **changes) -> dict:
    return {
        "lot": lot.pk,
        "sample_size": 100,
        **COUNTS_100,
        "moisture_percent": "6.80",
        "bean_count_per_100g": 72,
        **changes,
    }


def png_file(name: str = "corte.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (120, 60, 20)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def on_center_contract(world, **terms):
    """The center's lot assigned to the center's (active) contract, with these terms."""
    from erp.quality.services import terms_set

    with tenant_context(world.company):
        lot = world.lots["center"]
        contract = world.contracts["center"]
        if lot.contract_id != contract.pk:
            contract_assign_lot(contract=contract, lot=lot, user=world.users["admin"])
        terms_set(
            contract=contract,
            **{k: Decimal(v) if isinstance(v, str) and k != "minimum_grade" else v for k, v in terms.items()},
        )
        lot.refresh_from_db()
    return lot
