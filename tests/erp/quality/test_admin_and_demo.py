"""Quality in the company's admin (lists open, analyses read only, actions through the
services) and the demo data."""

from django.test import Client
from django_tenants.utils import tenant_context

from erp.quality.demo import demo_quality_populate
from erp.quality.models import Certificate, QualityAnalysis

from . import matrix
from .helpers import on_center_contract


def _admin(world) -> Client:
    client = Client(HTTP_HOST=world.host)
    with tenant_context(world.company):
        client.force_login(world.users["admin"])
    return client


def test_the_admin_lists_quality_rows_and_keeps_analyses_read_only(erp_a):
    with tenant_context(erp_a.company):
        analysis = matrix._analysis(erp_a, "center")
        matrix._certificate(erp_a, "supplier")
    client = _admin(erp_a)
    for url in (
        "/admin/quality/qualityanalysis/",
        "/admin/quality/certificate/",
        "/admin/quality/contractqualityterms/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/quality/qualityanalysis/add/").status_code == 403
    assert client.get(f"/admin/quality/qualityanalysis/{analysis.pk}/change/").status_code == 200  # view only


def test_the_admin_action_rejects_only_failing_lots(erp_a):
    lot = on_center_contract(erp_a, max_slaty_percent="1")
    with tenant_context(erp_a.company):
        failing = matrix._analysis(erp_a, "center")
        passing = matrix._analysis(erp_a, "supplier")  # no contract: neither passes nor fails
    response = _admin(erp_a).post(
        "/admin/quality/qualityanalysis/",
        {"action": "reject_lots", "_selected_action": [failing.pk, passing.pk]},
        follow=True,
    )
    assert response.status_code == 200
    with tenant_context(erp_a.company):
        lot.refresh_from_db()
        erp_a.lots["supplier"].refresh_from_db()
        assert lot.status == "rejected" and erp_a.lots["supplier"].status != "rejected"


def test_the_demo_data_has_a_graded_analysis_and_an_expired_certificate(erp_a):
    on_center_contract(erp_a)
    with tenant_context(erp_a.company):
        demo_quality_populate(
            admin=erp_a.users["admin"],
            partners={"supplier": [erp_a.partners["supplier"]]},
            contracts={"center": [erp_a.contracts["center"]]},
        )
        analysis = QualityAnalysis.objects.get()
        assert (analysis.grade, analysis.passed) == ("asss", True)
        assert Certificate.objects.expired().count() == 1 and Certificate.objects.count() == 2
