"""The quality pages: who may open each one, what a center, a supplier and another company
see, the cut-test form (errors beside the fields, the grade after saving), rejection, the
certificate and terms forms, the lot page's section, and the license's quality module."""

import pytest
from django_tenants.utils import tenant_context

from erp.quality.models import Certificate, ContractQualityTerms, QualityAnalysis
from master.licensing.models import Module
from tests.erp.web.conftest import page_client

from . import matrix
from .helpers import COUNTS_100, on_center_contract

ROLES = ["admin", "exporter", "center", "supplier"]


def codes(admin, exporter, center, supplier):
    return dict(zip(ROLES, (admin, exporter, center, supplier), strict=True))


PAGES = [
    ("/quality/analyses/", codes(200, 200, 200, 200)),
    ("/quality/analyses/new/", codes(200, 200, 200, 403)),
    ("/quality/analyses/new/?lot={lot_center}", codes(200, 200, 200, 403)),
    ("/quality/analyses/new/?lot={lot_supplier}", codes(200, 200, 404, 403)),
    ("/quality/analyses/{analysis_center}/", codes(200, 200, 200, 404)),
    ("/quality/analyses/{analysis_supplier}/", codes(200, 200, 404, 200)),
    ("/quality/photos/{photo}/", codes(200, 200, 404, 200)),
    ("/quality/certificates/", codes(200, 200, 200, 200)),
    ("/quality/certificates/new/", codes(200, 200, 200, 403)),
    ("/quality/certificates/{certificate}/file/", codes(200, 200, 404, 200)),
    ("/quality/terms/{contract_center}/", codes(200, 200, 403, 403)),
]


@pytest.fixture
def objects(erp_a):
    with tenant_context(erp_a.company):
        photo = matrix._photo(erp_a)
        return {
            "lot_center": erp_a.lots["center"].pk,
            "lot_supplier": erp_a.lots["supplier"].pk,
            "analysis_center": matrix._analysis(erp_a, "center").pk,
            "analysis_supplier": photo.analysis_id,
            "photo": photo.pk,
            "certificate": matrix._certificate(erp_a, "supplier").pk,
            "contract_center": erp_a.contracts["center"].pk,
        }


def test_each_page_opens_for_its_roles_only(erp_a, objects):
    clients = {role: page_client(erp_a, role) for role in ROLES}
    for page, expected in PAGES:
        url = page.format(**objects)
        for role in ROLES:
            status = clients[role].get(url).status_code
            assert status == expected[role], f"{url} as {role}: {status}"
    assert page_client(erp_a, None).get("/quality/analyses/").status_code == 302  # to the login


def test_another_companys_user_cannot_open_a_companys_analysis(erp_a, erp_b, objects):
    with tenant_context(erp_b.company):
        assert not QualityAnalysis.objects.exists()
    url = f"/quality/analyses/{objects['analysis_center']}/"
    assert page_client(erp_b, "admin").get(url).status_code == 404
    foreign = page_client(erp_a, "admin")
    foreign.defaults["HTTP_HOST"] = erp_b.host  # A's session cookie on B's site: not signed in there
    assert foreign.get(url).status_code == 302


def _form(lot, **changes):
    return {"sample_size": 100, **COUNTS_100, "moisture_percent": "6,8", "bean_count_per_100g": 72, **changes}


def test_the_cut_test_form_saves_and_shows_the_grade_and_percentages(erp_a):
    lot = erp_a.lots["center"]
    client = page_client(erp_a, "center")
    response = client.post(f"/quality/analyses/new/?lot={lot.pk}", _form(lot), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "ASSPS" in page and "86,00 %" in page
    with tenant_context(erp_a.company):
        analysis = QualityAnalysis.objects.get()
        assert analysis.analyst == erp_a.users["center"] and str(analysis.moisture_percent) == "6.80"
    lot_page = client.get(f"/lots/{lot.pk}/").content.decode()
    assert 'id="quality-title"' in lot_page and f"/quality/analyses/{analysis.pk}/" in lot_page


def test_counts_that_do_not_add_up_are_shown_beside_the_form(erp_a):
    lot = erp_a.lots["center"]
    response = page_client(erp_a, "admin").post(f"/quality/analyses/new/?lot={lot.pk}", _form(lot, slaty=9))
    assert response.status_code == 200
    assert "106" in response.content.decode()  # "the counts add up to 106 beans"
    with tenant_context(erp_a.company):
        assert not QualityAnalysis.objects.exists()


def test_a_photo_that_is_not_an_image_is_refused_on_the_form_and_nothing_is_saved(erp_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from erp.demo import minimal_pdf

    lot = erp_a.lots["center"]
    pdf = SimpleUploadedFile("corte.png", minimal_pdf("x"), content_type="image/png")
    response = page_client(erp_a, "admin").post(
        f"/quality/analyses/new/?lot={lot.pk}", {**_form(lot), "photo": pdf}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["photo"]
    with tenant_context(erp_a.company):
        assert not QualityAnalysis.objects.exists()  # the analysis went back with the photo


def test_a_failing_lot_is_flagged_and_rejected_from_its_analysis_page(erp_a):
    lot = on_center_contract(erp_a, max_slaty_percent="1")
    with tenant_context(erp_a.company):
        analysis = matrix._analysis(erp_a, "center")
    url = f"/quality/analyses/{analysis.pk}/"
    exporter = page_client(erp_a, "exporter")
    page = exporter.get(url).content.decode()
    assert "reject-lot" in page
    assert "maximum slaty" in page.lower() or "pizarr" in page.lower()  # the failing term named
    assert 'class="flagged"' in exporter.get("/quality/analyses/").content.decode()
    assert "reject-lot" not in page_client(erp_a, "center").get(url).content.decode()
    assert page_client(erp_a, "center").post(f"{url}reject-lot/").status_code == 403
    assert f"{url}reject-lot/" in exporter.get(f"/lots/{lot.pk}/").content.decode()  # on the lot page too
    assert exporter.post(f"{url}reject-lot/").status_code == 302
    with tenant_context(erp_a.company):
        lot.refresh_from_db()
        assert lot.status == "rejected"


def test_a_center_records_a_certificate_of_its_own_lot(erp_a):
    center = page_client(erp_a, "center")
    form = {
        "kind": "organic",
        "number": "ORG-5",
        "issuer": "BCS",
        "valid_from": "2026-01-01",
        "valid_to": "2027-01-01",
    }
    foreign = center.post("/quality/certificates/new/", {**form, "lot_code": erp_a.lots["supplier"].code})
    assert foreign.status_code == 200  # "no lot of yours has this code"
    saved = center.post("/quality/certificates/new/", {**form, "lot_code": erp_a.lots["center"].code})
    assert saved.status_code == 302
    with tenant_context(erp_a.company):
        assert Certificate.objects.get().lot == erp_a.lots["center"]


def test_the_terms_form_saves_the_figures(erp_a):
    contract = erp_a.contracts["center"]
    admin = page_client(erp_a, "admin")
    bad = admin.post(f"/quality/terms/{contract.pk}/", {"max_moisture_percent": "130"})
    assert bad.status_code == 200
    assert (
        admin.post(
            f"/quality/terms/{contract.pk}/", {"max_moisture_percent": "7,5", "minimum_grade": "ass"}
        ).status_code
        == 302
    )
    with tenant_context(erp_a.company):
        terms = ContractQualityTerms.objects.get(contract=contract)
        assert str(terms.max_moisture_percent) == "7.50" and terms.minimum_grade == "ass"


def test_without_the_quality_module_the_pages_are_refused_and_the_lot_section_hidden(erp_a):
    license = erp_a.company.licenses.get()
    license.modules = [m for m in Module.values if m != Module.QUALITY]
    license.save()
    admin = page_client(erp_a, "admin")
    assert admin.get("/quality/analyses/").status_code == 403
    lot_page = admin.get(f"/lots/{erp_a.lots['center'].pk}/").content.decode()
    assert 'id="quality-title"' not in lot_page
