"""Receptions in the company's admin (read-only, a list without a query per row, the void
action through the service) and the demo receptions."""

from decimal import Decimal

from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from erp.reception.demo import demo_reception_populate
from erp.reception.models import Reception

from .helpers import make


def admin_client(world) -> Client:
    client = Client(HTTP_HOST=world.host)
    with tenant_context(world.company):
        client.force_login(world.users["admin"])
    return client


def test_the_admin_lists_receptions_read_only_and_voids_through_the_service(
    erp_a, django_assert_max_num_queries
):
    with tenant_context(erp_a.company):
        receptions = [make(erp_a, supplier=name) for name in ("supplier", "supplier2", "supplier")]
    connection.set_schema_to_public()
    client = admin_client(erp_a)
    client.get("/admin/reception/reception/")
    with django_assert_max_num_queries(12):
        listed = client.get("/admin/reception/reception/")
    assert listed.status_code == 200 and all(r.number in listed.content.decode() for r in receptions)
    assert client.get("/admin/reception/reception/add/").status_code == 403
    assert client.get("/admin/reception/receptionsettings/").status_code == 200
    response = client.post(
        "/admin/reception/reception/",
        {"action": "void", "_selected_action": [receptions[0].pk]},
    )
    assert response.status_code == 302
    with tenant_context(erp_a.company):
        voided = Reception.objects.get(pk=receptions[0].pk)
        assert voided.is_voided and voided.void_reason
        assert not Reception.objects.get(pk=receptions[1].pk).is_voided


def test_the_demo_receives_four_deliveries_two_into_one_lot(erp_a):
    with tenant_context(erp_a.company):
        made = demo_reception_populate(
            admin=erp_a.users["admin"],
            center=erp_a.partners["center"],
            suppliers=[erp_a.partners["supplier"], erp_a.partners["supplier2"]],
        )
        assert len(made) == 4 and made[0].lot_id == made[1].lot_id != made[2].lot_id
        lot = made[0].lot
        lot.refresh_from_db()
        assert lot.weight_kg == made[0].net_weight_kg + made[1].net_weight_kg == Decimal("2242.50")
        assert made[3].paid_weight_kg < made[3].net_weight_kg  # wet cacao at 55 % moisture
