"""Analyses through /api/v1/quality/analyses/: the cut test checked and graded, the grade
written to the lot and the analysis on its timeline and ledger, pass/fail against the
contract's terms, rejection of a failing lot, photos, scoping, roles, the license module."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from erp.ledger.models import LedgerEntry
from erp.lots.models import LotEvent, LotEventAction
from erp.notifications.models import Notification
from erp.quality.models import QualityAnalysis
from master.licensing.models import Module

from .helpers import analysis_body, on_center_contract, png_file

URL = "/api/v1/quality/analyses/"


def _post(world, role, lot, **changes):
    return world.client(role).post(URL, analysis_body(lot, **changes), format="json")


def test_a_center_records_a_100_bean_cut_test_and_the_lot_gets_its_grade(erp_a):
    lot = erp_a.lots["center"]
    response = _post(erp_a, "center", lot)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["grade"] == "assps" and body["passed"] is None  # no contract, no terms
    assert body["percentages"]["well_fermented"] == "86.00" and body["percentages"]["slaty"] == "3.00"
    assert body["analyst"] == erp_a.users["center"].email
    with tenant_context(erp_a.company):
        lot.refresh_from_db()
        assert lot.grade == "assps"
        event = LotEvent.objects.filter(lot=lot, action=LotEventAction.ANALYSED).get()
        assert event.changes["grade"] == "assps" and event.changes["percentages"]["mouldy"] == "1.00"
        assert LedgerEntry.objects.filter(lot_id=lot.pk, kind="analysed").count() == 1


def test_a_300_bean_cut_test_shows_percentages_that_add_up(erp_a):
    counts = {
        "well_fermented": 250,
        "partly_fermented": 30,
        "slaty": 10,
        "mouldy": 4,
        "insect_damaged": 3,
        "germinated": 2,
        "flat": 1,
    }
    response = _post(erp_a, "admin", erp_a.lots["supplier"], sample_size=300, **counts)
    assert response.status_code == 201, response.content
    shown = response.json()["percentages"]
    assert shown == {
        "well_fermented": "83.34",
        "partly_fermented": "10.00",
        "slaty": "3.33",
        "mouldy": "1.33",
        "insect_damaged": "1.00",
        "germinated": "0.67",
        "flat": "0.33",
    }
    # Mouldy 4/300 = 1.33 % > ASSPS..ASS's 1 %; defective 6/300 = 2 % > ASN's 1 %: ASE.
    assert response.json()["grade"] == "ase"


def test_counts_that_do_not_add_up_are_refused_with_the_field_named(erp_a):
    response = _post(erp_a, "admin", erp_a.lots["center"], well_fermented=85)
    assert response.status_code == 400
    assert "99" in str(response.json()["sample_size"])
    assert _post(erp_a, "admin", erp_a.lots["center"], sample_size=200).status_code == 400
    assert "sample_size" in _post(erp_a, "admin", erp_a.lots["center"], sample_size=200).json()
    bad = _post(erp_a, "admin", erp_a.lots["center"], moisture_percent="120")
    assert bad.status_code == 400 and "moisture_percent" in bad.json()
    assert "slaty" in _post(erp_a, "admin", erp_a.lots["center"], slaty=-1).json()
    with tenant_context(erp_a.company):
        assert not QualityAnalysis.objects.exists()
        erp_a.lots["center"].refresh_from_db()
        assert erp_a.lots["center"].grade == ""


def test_a_ccn51_lot_is_graded_on_its_own(erp_a):
    from erp.lots.services import lot_update

    with tenant_context(erp_a.company):
        lot_update(lot=erp_a.lots["supplier"], user=erp_a.users["admin"], variety="ccn51")
    body = _post(erp_a, "admin", erp_a.lots["supplier"]).json()
    assert body["grade"] == "ccn51" and body["variety"] == "ccn51"


def test_an_analysis_against_the_contract_terms_names_the_failing_ones(erp_a):
    lot = on_center_contract(
        erp_a, max_moisture_percent="7.00", max_slaty_percent="2.5", minimum_grade="assps"
    )
    failing = _post(erp_a, "center", lot, moisture_percent="7.20").json()
    # 7.2 % moisture also takes the lot out of every grade: off grade, below ASSPS.
    assert failing["passed"] is False
    assert failing["failed_terms"] == ["max_slaty_percent", "max_moisture_percent", "minimum_grade"]
    assert failing["grade"] == "off_grade"
    passing = _post(
        erp_a, "center", lot, moisture_percent="7.00", well_fermented=88, slaty=1, partly_fermented=10
    ).json()
    assert passing["passed"] is True and passing["failed_terms"] == []
    listed = erp_a.client("admin").get(URL, {"passed": "false"}).json()["results"]
    assert [row["id"] for row in listed] == [failing["id"]]


def test_the_company_side_rejects_a_failing_lot_and_its_watchers_are_told(erp_a):
    lot = on_center_contract(erp_a, max_slaty_percent="2")
    passing = _post(erp_a, "center", lot, slaty=2, well_fermented=87).json()
    failing = _post(erp_a, "center", lot).json()
    assert failing["passed"] is False
    url = f"{URL}{failing['id']}/reject-lot/"
    assert erp_a.client("center").post(url).status_code == 403
    refused = erp_a.client("admin").post(f"{URL}{passing['id']}/reject-lot/")
    assert refused.status_code == 409
    assert erp_a.client("exporter").post(url).status_code == 200
    with tenant_context(erp_a.company):
        lot.refresh_from_db()
        assert lot.status == "rejected"
        assert Notification.objects.filter(user=erp_a.users["center"], kind="lot_rejected").exists()
    assert erp_a.client("admin").post(url).status_code == 409  # already rejected


def test_a_partner_sees_the_analyses_of_its_own_lots_only(erp_a):
    own = _post(erp_a, "admin", erp_a.lots["supplier"]).json()
    other = _post(erp_a, "admin", erp_a.lots["supplier2"]).json()
    supplier = erp_a.client("supplier")
    assert [row["id"] for row in supplier.get(URL).json()["results"]] == [own["id"]]
    assert supplier.get(f"{URL}{other['id']}/").status_code == 404
    assert erp_a.client("center").get(f"{URL}{own['id']}/").status_code == 404
    assert erp_a.client("center").get(URL).json()["results"] == []
    assert [
        row["id"] for row in erp_a.client("exporter").get(URL, {"lot": own["lot"]}).json()["results"]
    ] == [own["id"]]
    assert erp_a.client("admin").get(URL, {"grade": "asn"}).json()["results"] == []


def test_a_center_cannot_analyse_a_lot_it_does_not_see_and_a_supplier_cannot_analyse(erp_a):
    refused = _post(erp_a, "center", erp_a.lots["supplier"])
    assert refused.status_code == 400 and "lot" in refused.json()
    assert _post(erp_a, "supplier", erp_a.lots["supplier"]).status_code == 403


def test_company_b_cannot_reach_company_a_analyses(erp_a, erp_b):
    analysis = _post(erp_a, "admin", erp_a.lots["center"]).json()
    assert erp_b.client("admin").get(f"{URL}{analysis['id']}/").status_code == 404
    # A's token on B's host is refused outright.
    from rest_framework.test import APIClient

    client = erp_a.client("admin")
    foreign = APIClient(HTTP_HOST=erp_b.host)
    foreign.credentials(HTTP_AUTHORIZATION=client._credentials["HTTP_AUTHORIZATION"])
    assert foreign.get(URL).status_code == 401
    assert _post(erp_b, "admin", erp_a.lots["center"]).status_code == 400  # A's lot id in B


def test_photos_are_images_checked_by_content_and_served_to_those_who_see_the_analysis(erp_a):
    analysis = _post(erp_a, "admin", erp_a.lots["supplier"]).json()
    url = f"{URL}{analysis['id']}/photos/"
    added = erp_a.client("admin").post(url, {"file": png_file()}, format="multipart")
    assert added.status_code == 201, added.content
    text = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    refused = erp_a.client("admin").post(url, {"file": text}, format="multipart")
    assert refused.status_code == 400 and "file" in refused.json()
    photo_url = added.json()["url"]
    assert erp_a.client("supplier").get(photo_url).status_code == 200
    assert erp_a.client("supplier2").get(photo_url).status_code == 404
    assert (
        erp_a.client("admin").get(f"{URL}{analysis['id']}/").json()["photos"][0]["content_type"]
        == "image/png"
    )


def test_without_the_quality_module_the_api_answers_403_naming_it(erp_a):
    license = erp_a.company.licenses.get()
    license.modules = [m for m in Module.values if m != Module.QUALITY]
    license.save()
    refused = erp_a.client("admin").get(URL)
    assert refused.status_code == 403 and refused.json()["code"] == "module_not_licensed"
    assert str(Module.QUALITY.label) in refused.json()["detail"]


def test_lots_are_flagged_by_their_latest_analysis(erp_a):
    from erp.lots.models import Lot
    from erp.quality.selectors import lots_with_quality_flag

    lot = on_center_contract(erp_a, max_slaty_percent="2")
    _post(erp_a, "center", lot, analysed_at="2026-11-01T10:00:00Z")  # 3 % slaty: fails
    with tenant_context(erp_a.company):
        flags = dict(lots_with_quality_flag(Lot.objects.all()).values_list("code", "quality_failing"))
        assert flags == {
            lot.code: True,
            erp_a.lots["supplier"].code: False,
            erp_a.lots["supplier2"].code: False,
        }
    _post(erp_a, "center", lot, slaty=2, well_fermented=87, analysed_at="2026-11-02T10:00:00Z")  # passes
    with tenant_context(erp_a.company):
        assert not lots_with_quality_flag(Lot.objects.filter(pk=lot.pk)).get().quality_failing
