"""EUDR plots in the company's admin: listed, read only, verified through the service by a
list action (a refusal shown per plot)."""

from django.test import Client
from django_tenants.utils import tenant_context

from erp.eudr.models import PlotStatus
from erp.eudr.services import evidence_upload

from .helpers import evidence_file, plot


def test_the_admin_lists_plots_read_only_and_verifies_through_the_service(erp_a):
    client = Client(HTTP_HOST=erp_a.host)
    with tenant_context(erp_a.company):
        client.force_login(erp_a.users["admin"])
        declared = plot(erp_a, name="Declarada")
        declared.deforestation_free = True
        declared.save(update_fields=["deforestation_free"])
        evidence_upload(
            plot=declared,
            user=erp_a.users["admin"],
            kind="land_use",
            title="Uso",
            uploaded_file=evidence_file(),
        )
        undeclared = plot(erp_a, name="Sin declarar")
    listing = client.get("/admin/eudr/plot/")
    assert listing.status_code == 200 and declared.code in listing.content.decode()
    page = client.get(f"/admin/eudr/plot/{declared.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get("/admin/eudr/plot/add/").status_code == 403
    answer = client.post(
        "/admin/eudr/plot/",
        {"action": "verify", "_selected_action": [declared.pk, undeclared.pk]},
        follow=True,
    )
    assert undeclared.code in answer.content.decode()  # its refusal, named
    with tenant_context(erp_a.company):
        declared.refresh_from_db(), undeclared.refresh_from_db()
        assert (declared.status, undeclared.status) == (PlotStatus.VERIFIED, PlotStatus.PENDING)
