"""ERP fixtures: in companies A and B, partners of every kind and a user of every role,
created inside each test's transaction; API clients that authenticate with real tokens."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from erp.contracts.services import contract_create, contract_transition
from erp.lots.services import lot_create
from erp.partners.models import Membership
from erp.partners.services import partner_create
from tests.conftest import COMPANY_A, COMPANY_B, user_in
from triboka.accounts.models import Role
from triboka.accounts.services import user_create
from triboka.accounts.tokens import LoginSerializer


@dataclass
class World:
    """One company's ERP as a test sees it."""

    company: object
    partners: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    contracts: dict = field(default_factory=dict)
    lots: dict = field(default_factory=dict)

    @property
    def host(self) -> str:
        return self.company.primary_domain

    def client(self, role: str | None) -> APIClient:
        """An API client on this company's domain, signed in as the user of ``role``."""
        client = APIClient(HTTP_HOST=self.host)
        if role is not None:
            with tenant_context(self.company):
                token = LoginSerializer.get_token(self.users[role]).access_token
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client


def _build(company, spec, prefix: str) -> World:
    world = World(company=company)
    with tenant_context(company):
        p = world.partners
        p["exporter"] = partner_create(name=f"{prefix} Exportadora", kind="exporter", tax_id=spec.ruc)
        p["center"] = partner_create(
            name=f"{prefix} Centro de Acopio",
            kind="center",
            tax_id="0912345675001" if prefix == "A" else "1700000001001",
            province="09",
            canton="Milagro",
        )
        p["supplier"] = partner_create(
            name=f"{prefix} Finca Uno", kind="supplier", tax_id=_cedula(1 if prefix == "A" else 3)
        )
        p["supplier2"] = partner_create(
            name=f"{prefix} Finca Dos", kind="supplier", tax_id=_cedula(2 if prefix == "A" else 4)
        )
        p["buyer"] = partner_create(name=f"{prefix} Buyer GmbH", kind="buyer")
        u = world.users
        u[Role.ADMIN] = user_in(company, spec.admin_email)
        u[Role.EXPORTER] = _user(f"exporter@{spec.slug}.test", Role.EXPORTER, p["exporter"])
        u[Role.CENTER] = _user(f"center@{spec.slug}.test", Role.CENTER, p["center"])
        u[Role.SUPPLIER] = _user(f"supplier@{spec.slug}.test", Role.SUPPLIER, p["supplier"])
        u["supplier2"] = _user(f"supplier2@{spec.slug}.test", Role.SUPPLIER, p["supplier2"])
        admin = u[Role.ADMIN]
        c = world.contracts
        c["center"] = contract_create(
            user=admin,
            exporter=p["exporter"],
            counterparty=p["center"],
            volume_tm=Decimal("10"),
            price_type="fixed",
            price_usd_per_tm=Decimal("6000"),
            delivery_from=date(2026, 1, 1),
            delivery_to=date(2026, 12, 31),
        )
        contract_transition(contract=c["center"], to_status="active")
        c["supplier"] = contract_create(
            user=admin,
            exporter=p["exporter"],
            counterparty=p["supplier"],
            volume_tm=Decimal("2"),
            price_type="differential",
            differential_usd_per_tm=Decimal("250"),
            delivery_from=date(2026, 1, 1),
            delivery_to=date(2026, 6, 30),
        )
        lots = world.lots
        lots["center"] = lot_create(
            user=admin,
            owner=p["center"],
            weight_qq=Decimal("100"),
            humidity_percent=Decimal("7.5"),
            status="stored",
        )
        lots["supplier"] = lot_create(
            user=admin, owner=p["supplier"], weight_qq=Decimal("20"), humidity_percent=Decimal("9")
        )
        lots["supplier2"] = lot_create(user=admin, owner=p["supplier2"], weight_qq=Decimal("30"))
    connection.set_schema_to_public()
    return world


def _cedula(n: int) -> str:
    body = f"17{n:07d}"[:9]
    total = 0
    for index, char in enumerate(body):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return f"{body}{(10 - total % 10) % 10}"


def _user(email, role, partner):
    user = user_create(email=email, role=role, password="Cacao-fino-2026!")
    Membership.objects.create(user=user, partner=partner)
    return user


@pytest.fixture
def erp_a(company_a) -> World:
    return _build(company_a, COMPANY_A, "A")


@pytest.fixture
def erp_b(company_b) -> World:
    return _build(company_b, COMPANY_B, "B")
