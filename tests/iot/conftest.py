"""IoT fixtures: a scale at company A's collection center (and one at B's), with their keys,
on top of the ERP worlds of tests/erp/conftest.py."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from iot.services import device_register
from tests.erp.conftest import erp_a, erp_b  # noqa: F401  (fixtures)


@dataclass
class Scale:
    world: object
    device: object
    key: str

    @property
    def host(self) -> str:
        return self.world.host

    def client(self, key: str | None = None) -> APIClient:
        """An API client on the device's company's site, sending ``key`` (its own by default)."""
        client = APIClient(HTTP_HOST=self.host)
        client.credentials(HTTP_AUTHORIZATION=f"Device {key or self.key}")
        return client


def make_scale(world, *, name="Báscula 1", serial="SN-0001", **fields) -> Scale:
    with tenant_context(world.company):
        device, key = device_register(
            user=world.users["admin"],
            name=name,
            kind=fields.pop("kind", "combined"),
            serial_number=serial,
            location=fields.pop("location", world.partners["center"]),
            capacity_kg=fields.pop("capacity_kg", Decimal("60000")),
            **fields,
        )
    connection.set_schema_to_public()
    return Scale(world=world, device=device, key=key)


@pytest.fixture
def scale_a(erp_a) -> Scale:  # noqa: F811
    return make_scale(erp_a)


@pytest.fixture
def scale_b(erp_b) -> Scale:  # noqa: F811
    return make_scale(erp_b, name="Báscula B", serial="SN-B-0001")
