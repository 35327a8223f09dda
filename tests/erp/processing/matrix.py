"""The processing rows of the permission matrix (docs/permissions/processing.md): the fixture objects
their paths name and the bodies of the rows that write."""

from django.utils import timezone

from erp.processing import services

from .helpers import D, ago, wet_lot


def _fermentation(world, owner):
    lot = wet_lot(world, owner)
    return services.fermentation_start(
        user=world.users["admin"], lot=lot, box="Cajón 1", started_at=ago(days=1)
    )


def _drying(world, owner):
    run = services.drying_start(user=world.users["admin"], lot=wet_lot(world, owner), started_at=ago(days=1))
    services.drying_reading_add(run=run, user=world.users["admin"], at=ago(hours=2), moisture_percent=D("9"))
    return run


PREPARE = {
    "processing_lot:center": lambda world: wet_lot(world, "center"),
    "fermentation:center": lambda world: _fermentation(world, "center"),
    "fermentation:supplier": lambda world: _fermentation(world, "supplier"),
    "drying:center": lambda world: _drying(world, "center"),
    "drying:supplier": lambda world: _drying(world, "supplier"),
}


def bodies(world) -> dict:
    now = timezone.now().isoformat()
    f, d = "/api/v1/processing/fermentations/", "/api/v1/processing/dryings/"
    turn = {"at": now, "temperature_c": "46.5"}
    reading = {"at": now, "moisture_percent": "8.2"}
    end = {"weight_out_kg": "400", "moisture_percent": "7"}
    return {
        ("POST", f): {"lot": "{processing_lot:center}", "box": "Cajón 4"},
        ("POST", f + "{fermentation:center}/turns/"): turn,
        ("POST", f + "{fermentation:supplier}/turns/"): turn,
        ("POST", f + "{fermentation:center}/finish/"): {"weight_out_kg": "850"},
        ("POST", f + "{fermentation:supplier}/finish/"): {"weight_out_kg": "850"},
        ("POST", d): {"lot": "{processing_lot:center}", "method": "mechanical"},
        ("POST", d + "{drying:center}/readings/"): reading,
        ("POST", d + "{drying:supplier}/readings/"): reading,
        ("POST", d + "{drying:center}/finish/"): end,
        ("POST", d + "{drying:supplier}/finish/"): end,
    }
