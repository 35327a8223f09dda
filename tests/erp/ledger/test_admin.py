"""The ledger in the company's admin: entries and codes to read, never to change, listed in a
fixed number of queries, and the "verify the whole chain" action."""

from django.db import connection
from django_tenants.utils import tenant_context

from erp.ledger.models import LedgerEntry
from tests.erp.web.conftest import page_client

from .test_api_and_pages import issued
from .test_chain import tamper


def test_the_admin_lists_entries_and_codes_read_only(erp_a, django_assert_max_num_queries):
    code = issued(erp_a).code
    client = page_client(erp_a, "admin")
    client.get("/admin/ledger/ledgerentry/")  # sessions, permissions and the route are read once
    with django_assert_max_num_queries(12):
        entries = client.get("/admin/ledger/ledgerentry/")
    assert entries.status_code == 200 and erp_a.lots["supplier2"].code in entries.content.decode()
    codes = client.get("/admin/ledger/verificationcode/")
    assert codes.status_code == 200 and code in codes.content.decode()
    assert client.get("/admin/ledger/ledgerentry/add/").status_code == 403
    assert client.get("/admin/ledger/verificationcode/add/").status_code == 403


def test_the_admin_action_verifies_the_chain(erp_a):
    client = page_client(erp_a, "admin")
    with tenant_context(erp_a.company):
        first = LedgerEntry.objects.order_by("seq").first().pk
        tamper("UPDATE ledger_ledgerentry SET actor = 'x' WHERE seq = 2")
    connection.set_schema_to_public()
    response = client.post(
        "/admin/ledger/ledgerentry/",
        {"action": "verify_chain", "_selected_action": [first]},
        follow=True,
    )
    assert response.status_code == 200 and "n.º 2" in response.content.decode()
