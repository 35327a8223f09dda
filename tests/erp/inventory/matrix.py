"""The inventory rows of the permission matrix (docs/permissions/inventory.md)."""

from decimal import Decimal

from erp.inventory.services import stock_receive, warehouse_default_for
from erp.lots.services import lot_create


def center_warehouse(world):
    lot = world.lots["center"]
    stock_receive(lot=lot, center=world.partners["center"], kg=lot.weight_kg, user=world.users["admin"])
    return warehouse_default_for(world.partners["center"])


def _center_lot(world, kg="100"):
    return lot_create(user=world.users["admin"], owner=world.partners["center"], weight_kg=Decimal(kg))


PREPARE = {"warehouse:center": center_warehouse}


def bodies(world) -> dict:
    from django_tenants.utils import tenant_context

    with tenant_context(world.company):
        warehouse = center_warehouse(world)
        other = warehouse.__class__.objects.create(name="Bodega Puerto", center=world.partners["center"])
        merge = [_center_lot(world).pk, _center_lot(world).pk]
    return {
        ("POST", "/api/v1/inventory/warehouses/"): {"name": "Bodega Guayaquil"},
        ("POST", "/api/v1/inventory/movements/"): {
            "lot": world.lots["center"].pk,
            "kind": "transfer",
            "from_warehouse": warehouse.pk,
            "to_warehouse": other.pk,
            "kg": "100",
        },
        ("POST", "/api/v1/lots/{lot:center}/split/"): {"parts": ["1000", "500"]},
        ("POST", "/api/v1/lots/{lot:supplier}/split/"): {"parts": ["100"]},
        ("POST", "/api/v1/lots/merge/"): {"lots": merge},
    }
