"""Finance in the company's admin: the lists open, payments are looked at only, a cost added
there goes through the service."""

from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from erp.finance.models import Cost

from . import matrix


def _admin(world) -> Client:
    client = Client(HTTP_HOST=world.host)
    with tenant_context(world.company):
        client.force_login(world.users["admin"])
    return client


def test_the_admin_lists_finance_rows_and_keeps_payments_read_only(erp_a):
    with tenant_context(erp_a.company):
        payment = matrix._supplier_payment(erp_a)
        matrix._buyer_payment(erp_a)
    client = _admin(erp_a)
    for url in ("/admin/finance/cost/", "/admin/finance/supplierpayment/", "/admin/finance/buyerpayment/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/finance/supplierpayment/add/").status_code == 403
    assert client.get(f"/admin/finance/supplierpayment/{payment.pk}/change/").status_code == 200  # view only


def test_a_cost_added_in_the_admin_is_checked_by_the_service(erp_a):
    client = _admin(erp_a)
    form = {"kind": "storage", "amount_usd": "12.50", "incurred_on": str(timezone.localdate())}
    lot = erp_a.lots["center"].pk
    added = client.post("/admin/finance/cost/add/", {**form, "lot": lot})
    assert added.status_code == 302
    with tenant_context(erp_a.company):
        assert Cost.objects.get().lot_id == lot
