"""Shared setup of the processing tests: a wet lot of the center, fermented and dried."""

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from erp.lots.services import lot_create
from erp.processing import services

D = Decimal


def ago(days: float = 0, hours: float = 0):
    return timezone.now() - timedelta(days=days, hours=hours)


def wet_lot(world, owner: str = "center", kg: str = "1000"):
    """A received lot of cacao en baba (call inside the tenant context)."""
    return lot_create(
        user=world.users["admin"],
        owner=world.partners[owner],
        weight_kg=D(kg),
        form="baba",
        status="received",
    )


def fermenting(world, owner: str = "center"):
    lot = wet_lot(world, owner)
    return services.fermentation_start(
        user=world.users["admin"], lot=lot, box="Cajón 3", weight_in_kg=D("1000"), started_at=ago(days=6)
    )


def drying(world, owner: str = "center"):
    """A lot fermented 1000 → 850 kg, now drying 850 kg with readings 45 % and 20 %."""
    batch = fermenting(world, owner)
    admin = world.users["admin"]
    services.fermentation_finish(batch=batch, user=admin, weight_out_kg=D("850"), ended_at=ago(days=1))
    batch.lot.refresh_from_db()
    run = services.drying_start(user=admin, lot=batch.lot, method="sun", started_at=ago(hours=20))
    services.drying_reading_add(run=run, user=admin, at=ago(hours=18), moisture_percent=D("45"))
    services.drying_reading_add(
        run=run, user=admin, at=ago(hours=6), moisture_percent=D("20"), temperature_c=D("41.5")
    )
    return run


def make(world, maker, **kwargs):
    with tenant_context(world.company):
        obj = maker(world, **kwargs)
    connection.set_schema_to_public()
    return obj
