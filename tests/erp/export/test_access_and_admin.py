"""Who reaches sales and export: the company side only, of its own company, with the module
licensed; the company's admin lists the rows and acts through the services."""

from django.test import Client
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from erp.export.models import SalesContract
from master.licensing.models import Module
from triboka.audit.models import AuditEvent

from .helpers import BASE, in_company, loaded_shipment, upload


def test_another_company_cannot_reach_a_shipment_and_a_token_works_only_on_its_own_site(erp_a, erp_b):
    sent = in_company(erp_a, loaded_shipment)
    stranger = erp_b.client("admin")
    assert stranger.get(f"{BASE}/shipments/{sent.pk}/").status_code == 404
    assert stranger.get(f"{BASE}/shipments/{sent.pk}/invoice.pdf").status_code == 404
    assert stranger.get(f"{BASE}/sales-contracts/{sent.sales_contract_id}/").status_code == 404
    assert stranger.get(f"{BASE}/shipments/").json()["results"] == []
    foreign = APIClient(HTTP_HOST=erp_b.host)
    foreign.credentials(HTTP_AUTHORIZATION=erp_a.client("admin")._credentials["HTTP_AUTHORIZATION"])
    assert foreign.get(f"{BASE}/shipments/").status_code == 401


def test_centers_and_suppliers_are_refused_everywhere(erp_a):
    sent = in_company(erp_a, loaded_shipment)
    for role in ("center", "supplier"):
        client = erp_a.client(role)
        for path in (
            f"{BASE}/sales-contracts/",
            f"{BASE}/shipments/{sent.pk}/",
            f"{BASE}/shipments/{sent.pk}/packing-list.pdf",
            f"{BASE}/shipments/{sent.pk}/checklist/",
        ):
            assert client.get(path).status_code == 403, (role, path)
        assert client.post(f"{BASE}/shipments/{sent.pk}/status/", {"status": "booked"}).status_code == 403


def test_without_the_export_module_the_api_answers_403_naming_it(erp_a):
    license = erp_a.company.licenses.get()
    license.modules = [m for m in Module.values if m != Module.EXPORT]
    license.save()
    refused = erp_a.client("admin").get(f"{BASE}/shipments/")
    assert refused.status_code == 403 and refused.json()["code"] == "module_not_licensed"


def test_writes_are_in_the_audit_log_with_their_author(erp_a):
    with tenant_context(erp_a.company):
        loaded_shipment(erp_a)
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert {
            "export.sales_contract.create",
            "export.shipment.create",
            "export.container.add",
            "export.container.load",
        } <= actions
        event = AuditEvent.objects.filter(action="export.container.load").first()
        assert event.actor_email == erp_a.users["admin"].email and event.object_type == "export.containerlot"
        assert max(len(action) for action in actions) <= 32


def _admin(world) -> Client:
    client = Client(HTTP_HOST=world.host)
    with tenant_context(world.company):
        client.force_login(world.users["admin"])
    return client


def test_the_admin_lists_the_rows_keeps_them_read_only_and_cancels_through_the_service(
    erp_a, django_assert_max_num_queries
):
    def documented(world):
        sent = loaded_shipment(world)
        upload(world, sent, "phytosanitary", "F-1")
        return sent

    sent = in_company(erp_a, documented)
    client = _admin(erp_a)
    for model in ("salescontract", "shipment", "container", "containerlot", "shipmentdocument"):
        with django_assert_max_num_queries(15):
            assert client.get(f"/admin/export/{model}/").status_code == 200, model
    assert client.get(f"/admin/export/shipment/{sent.pk}/change/").status_code == 200  # view only
    assert client.get("/admin/export/containerlot/add/").status_code == 403
    response = client.post(
        "/admin/export/salescontract/",
        {"action": "cancel", "_selected_action": [sent.sales_contract_id]},
        follow=True,
    )
    assert response.status_code == 200
    with tenant_context(erp_a.company):  # its shipment is not cancelled: the service refuses
        assert SalesContract.objects.get(pk=sent.sales_contract_id).status == "draft"
