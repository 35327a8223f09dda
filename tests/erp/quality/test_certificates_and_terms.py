"""Certificates (/api/v1/quality/certificates/): of a lot or of a supplier, content-checked
files, expired ones flagged, a lot's list including its owner's valid ones; contract quality
terms (/api/v1/quality/terms/{contract}/)."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context

from erp.demo import minimal_pdf
from erp.quality.models import Certificate
from erp.quality.selectors import lot_certificates
from erp.quality.services import certificate_create

URL = "/api/v1/quality/certificates/"
TODAY = timezone.localdate()


def _certificate(world, *, lot=None, partner=None, valid_to=None, number="ORG-1"):
    with tenant_context(world.company):
        return certificate_create(
            user=world.users["admin"],
            lot=lot,
            partner=partner,
            kind="organic",
            number=number,
            issuer="BCS Öko-Garantie",
            valid_from=TODAY - timedelta(days=400),
            valid_to=valid_to or TODAY + timedelta(days=30),
        )


def _body(**fields):
    return {
        "kind": "fairtrade",
        "number": "FLO-123",
        "issuer": "FLOCERT",
        "valid_from": "2026-01-01",
        "valid_to": "2027-01-01",
        **fields,
    }


def test_the_company_side_records_a_supplier_certificate_with_its_pdf(erp_a):
    pdf = SimpleUploadedFile("cert.pdf", minimal_pdf("Fairtrade"), content_type="application/pdf")
    response = erp_a.client("exporter").post(
        URL, _body(partner=erp_a.partners["supplier"].pk, file=pdf), format="multipart"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["partner_name"] == erp_a.partners["supplier"].name and body["expired"] is False
    assert body["content_type"] == "application/pdf"
    download = erp_a.client("supplier").get(body["file_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert erp_a.client("supplier2").get(body["file_url"]).status_code == 404


def test_a_certificate_is_of_a_lot_or_a_supplier_never_both_nor_neither(erp_a):
    admin = erp_a.client("admin")
    both = admin.post(
        URL, _body(lot=erp_a.lots["center"].pk, partner=erp_a.partners["center"].pk), format="json"
    )
    assert both.status_code == 400 and "lot" in both.json() and "partner" in both.json()
    assert admin.post(URL, _body(), format="json").status_code == 400
    backwards = admin.post(URL, _body(lot=erp_a.lots["center"].pk, valid_to="2025-01-01"), format="json")
    assert backwards.status_code == 400 and "valid_to" in backwards.json()
    html = SimpleUploadedFile("c.pdf", b"<html><body>hi</body></html>", content_type="application/pdf")
    fake = admin.post(URL, _body(lot=erp_a.lots["center"].pk, file=html), format="multipart")
    assert fake.status_code == 400 and "file" in fake.json()
    with tenant_context(erp_a.company):
        assert not Certificate.objects.exists()


def test_a_center_records_certificates_of_its_own_lots_only(erp_a):
    center = erp_a.client("center")
    assert center.post(URL, _body(lot=erp_a.lots["center"].pk), format="json").status_code == 201
    assert "lot" in center.post(URL, _body(lot=erp_a.lots["supplier"].pk), format="json").json()
    refused = center.post(URL, _body(partner=erp_a.partners["center"].pk), format="json")
    assert refused.status_code == 400 and "partner" in refused.json()
    assert (
        erp_a.client("supplier").post(URL, _body(lot=erp_a.lots["supplier"].pk), format="json").status_code
        == 403
    )


def test_expired_certificates_are_flagged_and_filtered(erp_a):
    valid = _certificate(erp_a, partner=erp_a.partners["supplier"])
    old = _certificate(
        erp_a, partner=erp_a.partners["supplier"], valid_to=TODAY - timedelta(days=1), number="OLD"
    )
    with tenant_context(erp_a.company):
        assert list(Certificate.objects.expired()) == [old]
        assert list(Certificate.objects.valid_on(TODAY)) == [valid]
        assert list(Certificate.objects.valid_on(TODAY - timedelta(days=1))) == [old, valid]
        assert list(Certificate.objects.expired(TODAY + timedelta(days=31))) == [old, valid]
    rows = erp_a.client("supplier").get(URL).json()["results"]
    assert {row["number"]: row["expired"] for row in rows} == {"OLD": True, "ORG-1": False}
    expired = erp_a.client("admin").get(URL, {"expired": "true"}).json()["results"]
    assert [row["number"] for row in expired] == ["OLD"]


def test_a_lots_certificates_include_its_owners_valid_ones(erp_a):
    lot = erp_a.lots["supplier"]
    own = _certificate(erp_a, lot=lot, number="LOT")
    owner_valid = _certificate(erp_a, partner=erp_a.partners["supplier"], number="FARM")
    _certificate(erp_a, partner=erp_a.partners["supplier"], valid_to=TODAY - timedelta(days=1), number="OLD")
    _certificate(erp_a, partner=erp_a.partners["supplier2"], number="OTHER")
    with tenant_context(erp_a.company):
        assert set(lot_certificates(lot)) == {own, owner_valid}


def test_partners_see_their_own_and_their_lots_certificates_only(erp_a, erp_b):
    mine = _certificate(erp_a, lot=erp_a.lots["center"], number="C-LOT")
    farm = _certificate(erp_a, partner=erp_a.partners["supplier"], number="FARM")
    assert [row["number"] for row in erp_a.client("center").get(URL).json()["results"]] == ["C-LOT"]
    assert erp_a.client("center").get(f"{URL}{farm.pk}/").status_code == 404
    assert erp_a.client("supplier").get(f"{URL}{mine.pk}/").status_code == 404
    assert erp_b.client("admin").get(f"{URL}{mine.pk}/").status_code == 404


def test_only_the_company_side_changes_and_deletes_certificates(erp_a):
    certificate = _certificate(erp_a, lot=erp_a.lots["center"])
    url = f"{URL}{certificate.pk}/"
    assert erp_a.client("center").patch(url, {"number": "X"}, format="json").status_code == 403
    changed = erp_a.client("exporter").patch(url, {"valid_to": "2020-01-01"}, format="json")
    assert changed.status_code == 400 and "valid_to" in changed.json()
    assert erp_a.client("exporter").patch(url, {"number": "ORG-2"}, format="json").json()["number"] == "ORG-2"
    assert erp_a.client("center").delete(url).status_code == 403
    assert erp_a.client("admin").delete(url).status_code == 204


TERMS = "/api/v1/quality/terms/"


def test_the_company_side_sets_contract_terms_and_partners_read_them(erp_a, erp_b):
    contract = erp_a.contracts["center"]
    url = f"{TERMS}{contract.pk}/"
    assert erp_a.client("center").get(url).json()["max_moisture_percent"] is None
    assert erp_a.client("center").put(url, {"max_moisture_percent": "7"}, format="json").status_code == 403
    saved = erp_a.client("exporter").put(
        url, {"max_moisture_percent": "7.5", "minimum_grade": "ass"}, format="json"
    )
    assert saved.status_code == 200, saved.content
    assert erp_a.client("center").get(url).json()["minimum_grade"] == "ass"
    bad = erp_a.client("admin").put(
        url, {"max_slaty_percent": "120", "minimum_grade": "off_grade"}, format="json"
    )
    assert bad.status_code == 400 and {"max_slaty_percent", "minimum_grade"} <= set(bad.json())
    assert erp_a.client("supplier").get(url).status_code == 404  # not a party to it
    # Company B's contract of the same id (schemas number alike) has none of A's terms.
    assert erp_b.client("admin").get(url).json().get("minimum_grade") in (None, "")
    assert erp_a.client("admin").get(f"{TERMS}{contract.pk + 1000}/").status_code == 404
