"""Shared set-up of the export tests: a sale, a shipment, lots in stock, and the loaded
shipment whose figures the tests check by hand:

* sale SC: 50 TM of Nacional, FOB, fixed at 6,250.00 USD/TM;
* container CSQU3054383 (seal EC-0001): 4,000.00 kg of the center's lot, 58 sacks;
* container RAIU6900114 (seal EC-0002): the rest of the center's lot, 535.92 kg (8 sacks),
  and 800.02 kg of the supplier's lot (12 sacks): 1,335.94 kg;
* in all 5,335.94 kg = 117.64 qq = 5.336 TM, 78 sacks; invoice 25,000.00 + 8,349.63
  (1.33594 TM × 6,250 = 8,349.625, half-up) = 33,349.63 USD.
"""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import tenant_context

from erp.demo import minimal_pdf
from erp.export import services
from erp.inventory.services import stock_receive, warehouse_default_for
from tests.erp.reception.helpers import pdf_text  # noqa: F401  (the receipt tests' technique)

D = Decimal
BASE = "/api/v1/export"


def sale(world, **changes):
    fields = {
        "buyer": world.partners["buyer"],
        "exporter": world.partners["exporter"],
        "quantity_tm": D("50"),
        "price_type": "fixed",
        "price_usd_per_tm": D("6250.00"),
        "shipment_from": date(2026, 1, 1),
        "shipment_to": date(2026, 12, 31),
        "destination_port": "Hamburg",
        "destination_country": "de",
        **changes,
    }
    return services.sales_contract_create(user=world.users["admin"], **fields)


def shipment(world, sales_contract=None, **fields):
    values = {"booking_number": "BK-778899", "vessel": "MSC Guayaquil", "voyage": "026E", **fields}
    return services.shipment_create(
        user=world.users["admin"], sales_contract=sales_contract or sale(world), **values
    )


def in_stock(world, *names):
    """The lots named put in the center's default warehouse, whole; that warehouse."""
    for name in names:
        lot = world.lots[name]
        stock_receive(lot=lot, center=world.partners["center"], kg=lot.weight_kg, user=world.users["admin"])
    return warehouse_default_for(world.partners["center"])


def load(world, container, name, kg, sacks, warehouse):
    return services.container_load(
        container=container,
        lot=world.lots[name],
        kg=D(kg),
        sacks=sacks,
        warehouse=warehouse,
        user=world.users["admin"],
    )


def loaded_shipment(world, sales_contract=None):
    """The shipment of the module's docstring (inside the company's tenant context)."""
    user = world.users["admin"]
    warehouse = in_stock(world, "center", "supplier")
    sent = shipment(world, sales_contract, etd=date(2026, 11, 20), eta=date(2026, 12, 12))
    first = services.container_add(shipment=sent, number="CSQU3054383", seal_number="EC-0001", user=user)
    second = services.container_add(shipment=sent, number="RAIU 690011-4", seal_number="EC-0002", user=user)
    load(world, first, "center", "4000.00", 58, warehouse)
    load(world, second, "center", "535.92", 8, warehouse)
    load(world, second, "supplier", "800.02", 12, warehouse)
    return sent


def pdf_upload(name: str = "fito.pdf", text: str = "Certificado fitosanitario") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf(text), content_type="application/pdf")


def upload(world, sent, kind: str, number: str):
    return services.shipment_document_upload(
        shipment=sent, kind=kind, number=number, uploaded_file=pdf_upload(), user=world.users["admin"]
    )


def in_company(world, build):
    """``build(world)`` run in the company's schema, the connection back in public after."""
    with tenant_context(world.company):
        result = build(world)
    connection.set_schema_to_public()
    return result
