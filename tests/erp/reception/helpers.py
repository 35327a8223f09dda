"""Shared set-up of the reception tests: a reception made through the service, the body of
a POST, and a second collection center."""

import io
import re
from decimal import Decimal

import pypdf

from erp.partners.models import Partner
from erp.partners.services import partner_create
from erp.reception.services import reception_create


def body(world, **changes) -> dict:
    """1,030 kg net of dry Nacional at 8.5 % moisture, 1 % impurities, 130 USD/qq."""
    return {
        "center": world.partners["center"].pk,
        "supplier": world.partners["supplier"].pk,
        "form": "seco",
        "variety": "nacional",
        "gross_weight_kg": "1050.00",
        "tare_weight_kg": "20.00",
        "sacks": 21,
        "moisture_percent": "8.50",
        "impurities_percent": "1.00",
        "price_mode": "fixed",
        "price_usd_per_qq": "130.00",
        **changes,
    }


def make(world, *, supplier="supplier", center=None, **changes):
    """A reception by the company admin (run inside the company's tenant context)."""
    data = body(world, **changes)
    data.pop("center"), data.pop("supplier")
    for field in (
        "gross_weight_kg",
        "tare_weight_kg",
        "moisture_percent",
        "impurities_percent",
        "price_usd_per_qq",
    ):
        if field in data and data[field] is not None:
            data[field] = Decimal(data[field])
    return reception_create(
        user=world.users["admin"],
        center=center or world.partners["center"],
        supplier=world.partners[supplier],
        **data,
    )


def other_center(world):
    existing = Partner.objects.filter(name="Centro Norte").first()
    return existing or partner_create(
        name="Centro Norte", kind="center", tax_id="1700000001001", province="17", canton="Quito"
    )


def pdf_text(content: bytes) -> str:
    """The PDF's text, runs of spaces (justified lines, grouping spaces) as one space."""
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"[ \xa0]+", " ", text)
