"""The ledger's API and pages: entries and verification for the company side, a lot's
verification code and certificate (with its QR code), the public page that shows the chain of
custody without prices, the lot page's section, roles, isolation and the license."""

import io
import re

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from pypdf import PdfReader

from erp.ledger import selectors
from erp.ledger.models import VerificationCode
from erp.ledger.services import ledger_append, verification_code_issue
from erp.lots.services import lot_update
from master.licensing.models import Module
from tests.erp.web.conftest import page_client

from .test_chain import tamper

ROLES = ["admin", "exporter", "center", "supplier"]
COMPANY_SIDE = {"admin": 200, "exporter": 200, "center": 403, "supplier": 403}
CODE = re.compile(r"^[A-Z2-7]{12}$")


def issued(world, lot_name: str = "center") -> VerificationCode:
    with tenant_context(world.company):
        code, _created = verification_code_issue(lot=world.lots[lot_name], user=world.users["admin"])
    connection.set_schema_to_public()
    return code


def _license(company, **changes):
    license = company.licenses.get()
    for field, value in changes.items():
        setattr(license, field, value)
    license.save()  # clears the cached route


# --- API -------------------------------------------------------------------------------------


def test_entries_are_listed_newest_first_and_filtered_by_lot(erp_a):
    admin = erp_a.client("admin")
    listed = admin.get("/api/v1/ledger/entries/").json()
    assert [entry["seq"] for entry in listed["results"]] == [3, 2, 1]
    lot = erp_a.lots["supplier"]
    only = admin.get(f"/api/v1/ledger/entries/?lot={lot.pk}").json()["results"]
    assert [(entry["lot_code"], entry["kind"]) for entry in only] == [(lot.code, "created")]
    assert admin.get("/api/v1/ledger/entries/2/").json()["lot_id"] == lot.pk
    assert admin.get("/api/v1/ledger/entries/99/").status_code == 404


def test_a_bad_lot_filter_is_400_on_the_field(erp_a):
    refused = erp_a.client("admin").get("/api/v1/ledger/entries/?lot=abc")
    assert refused.status_code == 400 and "lot" in refused.json()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_company_side_reads_the_ledger(erp_a, role):
    client = erp_a.client(role)
    assert client.get("/api/v1/ledger/entries/").status_code == COMPANY_SIDE[role]
    assert client.get("/api/v1/ledger/verify/").status_code == COMPANY_SIDE[role]


def test_another_companys_token_is_refused(erp_a, erp_b):
    token_of_b = erp_b.client("admin")
    token_of_b.defaults["HTTP_HOST"] = erp_a.host
    assert token_of_b.get("/api/v1/ledger/entries/").status_code == 401
    assert token_of_b.post(f"/api/v1/ledger/lots/{erp_a.lots['center'].pk}/code/").status_code == 401


def test_verify_reports_intact_then_the_first_broken_link(erp_a):
    admin = erp_a.client("admin")
    assert admin.get("/api/v1/ledger/verify/").json() == {
        "intact": True,
        "entries": 3,
        "last_seq": 3,
        "first_break": None,
    }
    with tenant_context(erp_a.company):
        tamper("UPDATE ledger_ledgerentry SET lot_code = 'LT-FALSO' WHERE seq = 2")
    report = admin.get("/api/v1/ledger/verify/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert report["intact"] is False and report["last_seq"] == 1
    assert report["first_break"]["seq"] == 2 and report["first_break"]["reason"] == "altered"
    assert "#2" in report["first_break"]["message"]


def test_a_code_is_issued_once_per_lot_and_reissuing_keeps_it(erp_a):
    admin, lot = erp_a.client("admin"), erp_a.lots["center"]
    assert admin.get(f"/api/v1/ledger/lots/{lot.pk}/code/").status_code == 404
    first = admin.post(f"/api/v1/ledger/lots/{lot.pk}/code/")
    assert first.status_code == 201 and CODE.match(first.json()["code"])
    again = erp_a.client("exporter").post(f"/api/v1/ledger/lots/{lot.pk}/code/")
    assert again.status_code == 200 and again.json()["code"] == first.json()["code"]
    assert first.json()["url"] == f"http://{erp_a.host}/verify/{first.json()['code']}/"
    assert admin.get(f"/api/v1/ledger/lots/{lot.pk}/code/").json()["issued_by"] == erp_a.users["admin"].email
    entries = admin.get(f"/api/v1/ledger/entries/?lot={lot.pk}").json()["results"]
    assert entries[0]["kind"] == "code_issued"  # the issue is on the chain too
    assert erp_a.client("center").post(f"/api/v1/ledger/lots/{lot.pk}/code/").status_code == 403


def test_codes_differ_between_lots(erp_a):
    assert issued(erp_a, "center").code != issued(erp_a, "supplier").code


def test_a_deleted_or_unknown_lot_is_404(erp_a):
    admin = erp_a.client("admin")
    with tenant_context(erp_a.company):
        from erp.lots.services import lot_delete

        lot_delete(lot=erp_a.lots["supplier2"], user=erp_a.users["admin"])
    assert admin.post(f"/api/v1/ledger/lots/{erp_a.lots['supplier2'].pk}/code/").status_code == 404
    assert admin.get("/api/v1/ledger/lots/999999/certificate/").status_code == 404


def test_the_certificate_needs_a_code_then_carries_it_its_url_and_a_qr_code(erp_a):
    admin, lot = erp_a.client("admin"), erp_a.lots["center"]
    assert admin.get(f"/api/v1/ledger/lots/{lot.pk}/certificate/").status_code == 409
    code = issued(erp_a).code
    response = admin.get(f"/api/v1/ledger/lots/{lot.pk}/certificate/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    text = page.extract_text()
    assert code in text and f"http://{erp_a.host}/verify/{code}/" in text and lot.code in text
    assert "Certificado de trazabilidad" in text and "Código de verificación" in text  # Spanish first
    assert re.search(r"4\D?535,92 kg · 100,00 qq · 4,536 TM", text), text  # 100 qq of 45.3592 kg
    assert len(page.images) == 1  # the QR code
    assert erp_a.client("supplier").get(f"/api/v1/ledger/lots/{lot.pk}/certificate/").status_code == 403


def test_the_qr_code_encodes_the_verification_url():
    import segno

    from erp.ledger.certificate import qr_png

    url = "https://a.triboka.test/verify/ABCDEFGHJK23/"
    png = qr_png(url).getvalue()
    assert png.startswith(b"\x89PNG")
    expected = io.BytesIO()
    segno.make(url, error="m").save(expected, kind="png", scale=10, border=2)
    assert png == expected.getvalue()
    assert png != qr_png(url.replace("ABCD", "ABCE")).getvalue()


# --- the public page -------------------------------------------------------------------------


@pytest.fixture
def priced_lot(erp_a):
    """The center's lot on its contract (USD 6000/TM), with a reception whose payload has a
    price and an amount, and a verification code."""
    with tenant_context(erp_a.company):
        lot = erp_a.lots["center"]
        from erp.contracts.services import contract_assign_lot

        contract_assign_lot(contract=erp_a.contracts["center"], lot=lot, user=erp_a.users["admin"])
        ledger_append(
            kind="received",
            lot=lot,
            actor="balanza@a.test",
            payload={
                "changes": {
                    "net_kg": "1234.50",
                    "price_usd_per_qq": [None, "187.35"],
                    "moisture_percent": "7.2",
                },
                "amount_usd": "5123.77",
                "amount": "7777.77",
                "supplier_differential": "-12.40",
                "paid": {"weight_kg": "1200.00", "usd": "4999.01"},
            },
        )
        lot_update(lot=lot, user=erp_a.users["admin"], status="dispatched")
        code = verification_code_issue(lot=lot, user=erp_a.users["admin"])[0].code
    connection.set_schema_to_public()
    return code


def test_the_public_page_shows_the_chain_of_custody_without_prices(erp_a, priced_lot):
    page = page_client(erp_a, None).get(f"/verify/{priced_lot}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert erp_a.lots["center"].code in html and priced_lot in html
    assert "1,234.50 kg" in html and "7.20 %" in html  # the reception's weight and moisture
    assert "Dispatched" in html and "Verified" in html
    assert erp_a.partners["center"].name in html  # the center that held it
    for private in (
        "7777.77",
        "7,777.77",
        "187.35",
        "187,35",
        "5123.77",
        "5,123.77",
        "12.40",
        "4999.01",
        "6000",
        "1200.00",
        "1,200.00",
    ):
        assert private not in html, private
    for hidden in (erp_a.contracts["center"].code, "balanza@a.test", erp_a.users["admin"].email):
        assert hidden not in html, hidden


def test_the_public_page_speaks_spanish_by_default(erp_a, priced_lot):
    html = page_client(erp_a, None).get(f"/verify/{priced_lot}/").content.decode()
    assert (
        "Cadena de custodia" in html and "Verificado" in html and "1.234,50 kg" in html.replace("\xa0", ".")
    )


def test_a_supplier_is_named_by_its_place_only(erp_a):
    code = issued(erp_a, "supplier").code
    html = page_client(erp_a, None).get(f"/verify/{code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert erp_a.partners["supplier"].name not in html and "Supplier" in html


def test_the_public_page_takes_the_code_in_any_case_and_says_when_the_chain_is_broken(erp_a, priced_lot):
    with tenant_context(erp_a.company):
        tamper("DELETE FROM ledger_ledgerentry WHERE seq = 2")
    connection.set_schema_to_public()
    page = page_client(erp_a, None).get(f"/verify/{priced_lot.lower()}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Not verified" in html and "entry #2" in html


def test_the_public_page_shows_the_ancestors_entries(erp_a, priced_lot, monkeypatch):
    ancestor = erp_a.lots["supplier2"]
    monkeypatch.setattr(selectors, "lot_lineage", lambda lot: [lot.pk, ancestor.pk])
    html = page_client(erp_a, None).get(f"/verify/{priced_lot}/").content.decode()
    assert ancestor.code in html


def test_an_unknown_code_or_another_companys_code_is_404(erp_a, erp_b):
    code_of_b = issued(erp_b).code
    anonymous = page_client(erp_a, None)
    for code in ("AAAAAAAAAAAA", code_of_b):
        page = anonymous.get(f"/verify/{code}/")
        assert page.status_code == 404 and code_of_b not in page.content.decode()
    assert page_client(erp_b, None).get(f"/verify/{code_of_b}/").status_code == 200


def test_the_public_page_works_without_the_lots_module(erp_a, priced_lot):
    _license(erp_a.company, modules=[m for m in Module.values if m != Module.LOTS])
    assert page_client(erp_a, None).get(f"/verify/{priced_lot}/").status_code == 200
    refused = erp_a.client("admin").get("/api/v1/ledger/entries/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403 and "Lots" in refused.json()["detail"]
    assert page_client(erp_a, "admin").get("/ledger/").status_code == 403


# --- pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_page_access_by_role(erp_a, role):
    client, lot = page_client(erp_a, role), erp_a.lots["center"]
    company_side = COMPANY_SIDE[role] == 200
    assert client.get("/ledger/").status_code == COMPANY_SIDE[role]
    assert client.post("/ledger/verify/").status_code == COMPANY_SIDE[role]
    assert client.post(f"/ledger/lots/{lot.pk}/code/").status_code == (302 if company_side else 403)
    assert client.get(f"/ledger/lots/{lot.pk}/certificate/").status_code == (200 if company_side else 403)
    assert client.get(f"/verify/{issued(erp_a).code}/").status_code == 200  # public, for everyone


def test_anonymous_visitors_are_sent_to_log_in(erp_a):
    anonymous = page_client(erp_a, None)
    assert anonymous.get("/ledger/").status_code == 302
    assert anonymous.post("/ledger/verify/").status_code == 302
    assert anonymous.get("/ledger/verify/").status_code == 405


def test_the_ledger_page_lists_entries_and_verifies_now(erp_a):
    admin = page_client(erp_a, "admin")
    html = admin.get("/ledger/").content.decode()
    assert (
        erp_a.lots["supplier2"].code in html
        and "Verificar ahora" in html
        and 'id="verify-result"' not in html
    )
    lot_only = admin.get(f"/ledger/?lot={erp_a.lots['supplier'].code}").content.decode()
    assert erp_a.lots["supplier"].code in lot_only and erp_a.lots["supplier2"].code not in lot_only
    assert "La cadena está íntegra." in admin.post("/ledger/verify/").content.decode()
    with tenant_context(erp_a.company):
        tamper("UPDATE ledger_ledgerentry SET kind = 'dried' WHERE seq = 3")
    connection.set_schema_to_public()
    broken = admin.post("/ledger/verify/").content.decode()
    assert "La cadena está rota." in broken and "registro n.º 3" in broken


def test_the_lot_page_shows_the_count_the_code_and_the_links(erp_a):
    admin, lot = page_client(erp_a, "admin"), erp_a.lots["center"]
    html = admin.get(f"/lots/{lot.pk}/").content.decode()
    assert (
        "1 registro de trazabilidad de este lote." in html and f'action="/ledger/lots/{lot.pk}/code/"' in html
    )
    response = admin.post(f"/ledger/lots/{lot.pk}/code/", follow=True)
    with tenant_context(erp_a.company):
        code = VerificationCode.objects.get(lot_id=lot.pk).code
    connection.set_schema_to_public()
    html = response.content.decode()
    assert f"Código de verificación {code} emitido." in html
    assert "2 registros de trazabilidad de este lote." in html
    assert f'href="/verify/{code}/"' in html and f'href="/ledger/lots/{lot.pk}/certificate/"' in html
    supplier_page = page_client(erp_a, "supplier").get(f"/lots/{erp_a.lots['supplier'].pk}/").content.decode()
    assert 'id="ledger-section"' in supplier_page and "/ledger/lots/" not in supplier_page


def test_the_certificate_page_without_a_code_goes_back_to_the_lot(erp_a):
    lot = erp_a.lots["supplier"]
    response = page_client(erp_a, "exporter").get(f"/ledger/lots/{lot.pk}/certificate/")
    assert response.status_code == 302 and response["Location"] == f"/lots/{lot.pk}/"
