"""The reception rows of the permission matrix (docs/permissions/reception.md): the fixture objects
their paths name and the bodies of the rows that write."""

from .helpers import body, make, other_center

PREPARE = {
    "reception:center": lambda world: make(world),
    "reception:supplier2": lambda world: make(world, supplier="supplier2"),
    "reception:other_center": lambda world: make(world, center=other_center(world)),
}


def bodies(world) -> dict:
    return {
        ("POST", "/api/v1/receptions/"): body(world),
        ("POST", "/api/v1/receptions/{reception:center}/void/"): {"reason": "Pesada repetida"},
        ("POST", "/api/v1/receptions/paid-weight/"): {"net_weight_kg": "1000", "moisture_percent": "9"},
    }
