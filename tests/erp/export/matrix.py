"""The export rows of the permission matrix (docs/permissions/export.md): the fixture objects
their paths name and the bodies of the rows that write (pure: no database work, since the
matrix asks every module for its bodies on every cell)."""

from erp.export import services
from erp.export.models import ContainerLot

from .helpers import D, in_stock, loaded_shipment, pdf_upload, sale, shipment, upload


def _open_sale(world):
    contract = sale(world)
    return services.sales_contract_set_status(
        sales_contract=contract, status="open", user=world.users["admin"]
    )


def _empty_container(world):
    return services.container_add(shipment=shipment(world), number="CSQU3054383", user=world.users["admin"])


def _load(world):
    return ContainerLot.objects.filter(container__shipment=loaded_shipment(world)).order_by("pk").first()


PREPARE = {
    "sale:draft": lambda world: sale(world),
    "sale:open": _open_sale,
    "sale:differential": lambda world: sale(
        world, price_type="differential", differential_usd_per_tm=D("150")
    ),
    "shipment:planned": lambda world: shipment(world),
    "shipment:loaded": loaded_shipment,
    "container:empty": _empty_container,
    "warehouse:export": lambda world: in_stock(world, "center"),
    "load:center": _load,
    "shipdoc:phyto": lambda world: upload(world, shipment(world), "phytosanitary", "F-2026-1"),
}


def bodies(world) -> dict:
    p = world.partners
    return {
        ("POST", "/api/v1/export/sales-contracts/"): {
            "buyer": p["buyer"].pk,
            "exporter": p["exporter"].pk,
            "quantity_tm": "25",
            "price_type": "fixed",
            "price_usd_per_tm": "6300.00",
            "shipment_from": "2026-01-01",
            "shipment_to": "2026-12-31",
        },
        ("PATCH", "/api/v1/export/sales-contracts/{sale:open}/"): {"notes": "Muestra aprobada"},
        ("POST", "/api/v1/export/sales-contracts/{sale:draft}/status/"): {"status": "open"},
        ("POST", "/api/v1/export/sales-contracts/{sale:differential}/fix-price/"): {
            "futures_usd_per_tm": "6100"
        },
        ("POST", "/api/v1/export/shipments/"): {"sales_contract": "{sale:open}", "booking_number": "BK-1"},
        ("PATCH", "/api/v1/export/shipments/{shipment:loaded}/"): {"vessel": "MSC Esmeralda"},
        ("POST", "/api/v1/export/shipments/{shipment:planned}/status/"): {"status": "booked"},
        ("POST", "/api/v1/export/shipments/{shipment:planned}/containers/"): {
            "number": "RAIU6900114",
            "seal_number": "EC-1",
        },
        ("PATCH", "/api/v1/export/containers/{container:empty}/"): {"seal_number": "EC-5"},
        ("POST", "/api/v1/export/containers/{container:empty}/loads/"): {
            "lot": world.lots["center"].pk,
            "kg": "1000",
            "sacks": 15,
            "warehouse": "{warehouse:export}",
        },
        ("POST", "/api/v1/export/shipments/{shipment:planned}/documents/"): {
            "kind": "origin",
            "number": "CO-2026-7",
            "file": pdf_upload("origen.pdf", "Certificado de origen"),
        },
    }
