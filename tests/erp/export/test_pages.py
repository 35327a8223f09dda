"""The sales and export pages: who may open each one (the company side; 404 for another
company's rows), sales and shipments made through their forms, the price fixing, containers
checked by ISO 6346, lots loaded and refused on the form, documents, the checklist, the EUDR
due diligence section and the page in English."""

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from erp.export import services
from erp.export.models import ContainerLot, DueDiligenceStatement, SalesContract, Shipment
from master.licensing.models import Module
from tests.erp.eudr.helpers import plot, reception_from
from tests.erp.web.conftest import page_client

from .helpers import in_stock, loaded_shipment, pdf_upload, sale, shipment, upload

D = Decimal
ROLES = ["admin", "exporter", "center", "supplier"]
SALES, SHIPMENTS = "/export/sales/", "/export/shipments/"
COMPANY_SIDE = {"admin": 200, "exporter": 200, "center": 403, "supplier": 403}
PAGES = [
    SALES,
    f"{SALES}new/",
    f"{SALES}{{sale}}/",
    f"{SALES}{{sale}}/edit/",
    SHIPMENTS,
    f"{SHIPMENTS}new/",
    f"{SHIPMENTS}{{shipment}}/",
    f"{SHIPMENTS}{{shipment}}/edit/",
]
POSTS = [
    (f"{SALES}{{sale}}/status/", {"status": "open"}),
    (f"{SALES}{{sale}}/fix-price/", {"futures_usd_per_tm": "3000"}),
    (f"{SALES}{{sale}}/delete/", {}),
    (f"{SHIPMENTS}{{shipment}}/status/", {"status": "booked"}),
    (f"{SHIPMENTS}{{shipment}}/delete/", {}),
    (f"{SHIPMENTS}{{shipment}}/containers/", {"number": "MSCU1234566"}),
    (f"{SHIPMENTS}{{shipment}}/loads/", {}),
    (f"{SHIPMENTS}{{shipment}}/documents/", {}),
    (f"{SHIPMENTS}{{shipment}}/due-diligence/record/", {}),
    ("/export/containers/{container}/remove/", {}),
    ("/export/loads/{load}/unload/", {}),
    ("/export/documents/{document}/delete/", {}),
]


@pytest.fixture
def objects(erp_a):
    """The helpers' loaded shipment (5,335.94 kg in two containers) with its phytosanitary
    certificate uploaded."""
    with tenant_context(erp_a.company):
        sent = loaded_shipment(erp_a)
        document = upload(erp_a, sent, "phytosanitary", "FITO-2026-001")
        load = ContainerLot.objects.filter(container__shipment=sent).order_by("pk").first()
        return {
            "sale": sent.sales_contract_id,
            "shipment": sent.pk,
            "container": load.container_id,
            "load": load.pk,
            "document": document.pk,
        }


def english_client(world, role: str = "admin"):
    """A client of a user who chose English: texts are checked in the words of their msgid."""
    with tenant_context(world.company):
        world.users[role].language = "en"
        world.users[role].save(update_fields=["language"])
    return page_client(world, role)


def test_each_page_opens_for_the_company_side_only(erp_a, objects):
    clients = {role: page_client(erp_a, role) for role in ROLES}
    for page in PAGES:
        url = page.format(**objects)
        for role in ROLES:
            status = clients[role].get(url).status_code
            assert status == COMPANY_SIDE[role], f"{url} as {role}: {status}"
    for page, data in POSTS:
        for role in ("center", "supplier"):
            assert clients[role].post(page.format(**objects), data).status_code == 403, (page, role)
    assert page_client(erp_a, None).get(SHIPMENTS).status_code == 302  # to the login
    with tenant_context(erp_a.company):
        assert SalesContract.objects.filter(status="draft").count() == 1  # nothing refused was done
        assert ContainerLot.objects.count() == 3


def test_another_companys_user_gets_404_for_a_sale_and_a_shipment(erp_a, erp_b, objects):
    other = page_client(erp_b, "admin")
    for url in (f"{SALES}{objects['sale']}/", f"{SHIPMENTS}{objects['shipment']}/"):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/export/loads/{objects['load']}/unload/").status_code == 404


def _sale_form(world, **changes) -> dict:
    return {
        "buyer": world.partners["buyer"].pk,
        "exporter": world.partners["exporter"].pk,
        "buyer_reference": "PO-4471",
        "incoterm": "FOB",
        "variety": "nacional",
        "quantity_tm": "25,5",  # the Spanish decimal comma
        "price_type": "fixed",
        "price_usd_per_tm": "6250,00",
        "shipment_from": "2026-03-01",
        "shipment_to": "2026-05-31",
        "destination_port": "Hamburg",
        "destination_country": "de",
        "purchase_contracts": [world.contracts["center"].pk],
        **changes,
    }


def test_a_sale_made_through_the_form_is_listed_with_its_terms(erp_a):
    exporter = page_client(erp_a, "exporter")
    response = exporter.post(f"{SALES}new/", _sale_form(erp_a))
    with tenant_context(erp_a.company):
        made = SalesContract.objects.get()
        linked = list(made.purchase_contracts.values_list("code", flat=True))
    assert response.status_code == 302 and response.url == f"{SALES}{made.pk}/"
    assert (made.quantity_tm, made.price_usd_per_tm, made.destination_country) == (
        D("25.500"),
        D("6250.00"),
        "DE",
    )
    assert linked == [erp_a.contracts["center"].code]
    listed = exporter.get(SALES).content.decode()
    assert made.code in listed and "PO-4471" in listed and "25,50 TM" in listed
    detail = exporter.get(response.url).content.decode()
    assert erp_a.contracts["center"].code in detail and f"/export/sales/{made.pk}/edit/" in detail
    assert [s.pk for s in exporter.get(SALES, {"status": "open"}).context["page"]] == []
    edited = exporter.post(
        f"{SALES}{made.pk}/edit/", _sale_form(erp_a, quantity_tm="30", purchase_contracts=[])
    )
    assert edited.status_code == 302
    with tenant_context(erp_a.company):
        made.refresh_from_db()
        assert made.quantity_tm == D("30.000") and not made.purchase_contracts.exists()


def test_a_sale_form_without_its_price_shows_the_error_on_the_price(erp_a):
    refused = page_client(erp_a, "admin").post(f"{SALES}new/", _sale_form(erp_a, price_usd_per_tm=""))
    assert refused.status_code == 200 and refused.context["form"].errors["price_usd_per_tm"]
    with tenant_context(erp_a.company):
        assert not SalesContract.objects.exists()


def test_a_differential_sale_is_opened_and_fixed_at_futures_plus_differential(erp_a):
    with tenant_context(erp_a.company):
        differential = sale(
            erp_a, price_type="differential", price_usd_per_tm=None, differential_usd_per_tm=D("185.50")
        )
    admin, url = english_client(erp_a), f"{SALES}{differential.pk}/"
    page = admin.get(url)
    assert page.context["fix_form"] is not None
    assert [s.value for s in page.context["transitions"]] == ["cancelled", "open"]
    opened = admin.post(f"{url}status/", {"status": "open"}, follow=True)
    assert [str(m) for m in opened.context["messages"]] == ["The sales contract is now «Open»."]
    assert admin.post(f"{url}fix-price/", {"futures_usd_per_tm": "3120.25"}).status_code == 302
    with tenant_context(erp_a.company):
        fixed = SalesContract.objects.get(pk=differential.pk)
    assert (fixed.status, fixed.fixed_price_usd_per_tm) == ("open", D("3305.75"))  # 3,120.25 + 185.50
    assert "futures +185.50 USD/TM · fixed at USD 3,305.75/TM" in admin.get(url).content.decode()
    refused = admin.post(f"{url}fix-price/", {"futures_usd_per_tm": "-1"})
    assert refused.status_code == 400 and refused.context["fix_form"].errors


def test_a_shipment_is_made_through_the_form_for_an_open_sale(erp_a):
    with tenant_context(erp_a.company):
        sold = sale(erp_a)
        services.sales_contract_set_status(sales_contract=sold, status="open", user=erp_a.users["admin"])
        closed = sale(erp_a)
        services.sales_contract_set_status(
            sales_contract=closed, status="cancelled", user=erp_a.users["admin"]
        )
    admin = page_client(erp_a, "admin")
    page = admin.get(f"{SHIPMENTS}new/", {"sale": sold.pk})
    choices = list(page.context["form"].fields["sales_contract"].queryset)
    assert choices == [sold] and page.context["form"].initial["sales_contract"] == str(sold.pk)
    data = {
        "sales_contract": sold.pk,
        "booking_number": "bk-1020",
        "port_of_loading": "ECGYE",
        "vessel": "Maersk Quito",
        "etd": "2026-04-10",
        "eta": "2026-04-02",
    }
    late = admin.post(f"{SHIPMENTS}new/", data)
    assert late.status_code == 200 and late.context["form"].errors["eta"]  # before the departure
    made = admin.post(f"{SHIPMENTS}new/", {**data, "eta": "2026-05-02"})
    with tenant_context(erp_a.company):
        sent = Shipment.objects.get()
    assert made.url == f"{SHIPMENTS}{sent.pk}/" and sent.booking_number == "BK-1020"
    listed = admin.get(SHIPMENTS).content.decode()
    assert sent.code in listed and "Maersk Quito" in listed and sold.code in listed
    del data["sales_contract"]
    edited = admin.post(f"{SHIPMENTS}{sent.pk}/edit/", {**data, "eta": "2026-05-02", "vessel": "MSC Manta"})
    assert edited.status_code == 302
    with tenant_context(erp_a.company):
        assert Shipment.objects.get().vessel == "MSC Manta"


@pytest.fixture
def empty_shipment(erp_a):
    with tenant_context(erp_a.company):
        in_stock(erp_a, "center")
        return shipment(erp_a)


def test_a_container_with_a_wrong_check_digit_is_refused_on_the_number(erp_a, empty_shipment):
    admin, url = page_client(erp_a, "admin"), f"{SHIPMENTS}{empty_shipment.pk}/"
    wrong = admin.post(f"{url}containers/", {"number": "CSQU3054384", "seal_number": "EC-9"})
    assert wrong.status_code == 400
    errors = wrong.context["container_form"].errors["number"]
    assert "dígito de control" in errors[0] and "es 3" in errors[0]
    assert 'class="error"' in wrong.content.decode()
    assert (
        admin.post(f"{url}containers/", {"number": "csqu 305438-3", "seal_number": "ec-9"}).status_code == 302
    )
    page = admin.get(url).content.decode()
    assert 'data-container="CSQU3054383"' in page and "EC-9" in page


def test_a_lot_loaded_through_the_form_shows_the_net_weight_and_a_refusal_shows_on_the_field(
    erp_a, empty_shipment
):
    with tenant_context(erp_a.company):
        container = services.container_add(
            shipment=empty_shipment, number="CSQU3054383", seal_number="EC-1", user=erp_a.users["admin"]
        )
        lot = erp_a.lots["center"]
    admin, url = page_client(erp_a, "admin"), f"{SHIPMENTS}{empty_shipment.pk}/"
    form = admin.get(url).context["load_form"]
    warehouse = form.initial["warehouse"]
    load = {
        "container": container.pk,
        "lot": lot.code,
        "warehouse": warehouse,
        "kg": "1000,50",
        "sacks": "15",
    }
    assert admin.post(f"{url}loads/", load).status_code == 302
    page = admin.get(url)
    assert page.context["weight"].kg == D("1000.50")
    body = page.content.decode()
    assert "1\xa0000,50 kg" in body and "22,06 qq" in body  # 1,000.50 / 45.359237 = 22.057 qq
    too_much = admin.post(f"{url}loads/", {**load, "kg": "4000,00"})  # 3,535.42 kg are left
    assert too_much.status_code == 400
    assert "3535.42" in too_much.context["load_form"].errors["kg"][0]
    unknown = admin.post(f"{url}loads/", {**load, "lot": "LT-NOPE"})
    assert unknown.context["load_form"].errors["lot"]
    with tenant_context(erp_a.company):
        loaded = ContainerLot.objects.get()
    assert admin.post(f"/export/loads/{loaded.pk}/unload/").status_code == 302
    with tenant_context(erp_a.company):
        assert not ContainerLot.objects.exists()


def test_a_document_is_uploaded_and_the_checklist_shows_what_is_done_and_missing(erp_a, objects):
    admin, url = page_client(erp_a, "admin"), f"{SHIPMENTS}{objects['shipment']}/"
    upload = {"kind": "origin", "number": "CO-778", "file": pdf_upload("origen.pdf", "Certificado de origen")}
    assert admin.post(f"{url}documents/", upload).status_code == 302
    page = admin.get(url)
    body = page.content.decode()
    assert "CO-778" in body and "origen.pdf" in body
    checks = {item.key: item.done for item in page.context["checklist"]}
    assert checks["origin"] and checks["phytosanitary"] and checks["booking"] and checks["lots_loaded"]
    assert not checks["bill_of_lading"] and not checks["quality"]
    assert 'data-check="origin" data-done="true"' in body
    assert 'data-check="bill_of_lading" data-done="false"' in body
    empty = admin.post(f"{url}documents/", {"kind": "origin", "number": " "})
    assert empty.status_code == 400 and empty.context["document_form"].errors["file"]


def test_the_generated_pdfs_open_with_the_session_login(erp_a, objects):
    admin = page_client(erp_a, "admin")
    links = admin.get(f"{SHIPMENTS}{objects['shipment']}/").context["pdfs"]
    for url in (links["invoice"], links["packing_list"], links["quality_certificate"]):
        response = admin.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf", url


def _shipment_from_plot(world, *, verified: bool):
    """A shipment loaded with 500 kg of the lot of a reception from one plot."""
    admin = world.users["admin"]
    origin = plot(world, verified=verified)
    reception = reception_from(world, [origin])
    sent = shipment(world)
    container = services.container_add(shipment=sent, number="CSQU3054383", seal_number="EC-1", user=admin)
    warehouse = in_stock(world)  # the center's default warehouse, where the reception put its lot
    services.container_load(
        container=container, lot=reception.lot, kg=D("500.00"), sacks=8, warehouse=warehouse, user=admin
    )
    return sent, origin


def test_the_due_diligence_section_lists_an_unverified_plot_and_refuses_the_statement(erp_a):
    with tenant_context(erp_a.company):
        sent, origin = _shipment_from_plot(erp_a, verified=False)
    admin, url = english_client(erp_a), f"{SHIPMENTS}{sent.pk}/"
    body = admin.get(url).content.decode()
    assert 'data-dds-ready="false"' in body and f"Plot {origin.code}" in body
    assert "not verified deforestation-free" in body and "statement.json" not in body
    assert "500.00 kg" in body and "plots.geojson" in body and "summary.pdf" in body
    refused = admin.post(f"{url}due-diligence/record/", follow=True)
    assert any("not verified deforestation-free" in str(m) for m in refused.context["messages"])
    with tenant_context(erp_a.company):
        assert not DueDiligenceStatement.objects.exists()


def test_a_verified_origin_is_ready_and_its_statement_is_recorded(erp_a):
    with tenant_context(erp_a.company):
        sent, _origin = _shipment_from_plot(erp_a, verified=True)
    admin, url = page_client(erp_a, "exporter"), f"{SHIPMENTS}{sent.pk}/"
    page = admin.get(url)
    body = page.content.decode()
    assert 'data-dds-ready="true"' in body and "statement.json" in body
    assert len(page.context["due_diligence"]["pack"].plots) == 1
    json_url = page.context["due_diligence"]["json_url"]
    assert (
        admin.get(json_url).json()["commodities"][0]["descriptors"]["goodsMeasure"]["netWeight"] == "500.00"
    )
    recorded = admin.post(f"{url}due-diligence/record/")
    assert recorded.status_code == 302 and recorded.url.endswith("#due-diligence")
    with tenant_context(erp_a.company):
        record = DueDiligenceStatement.objects.get()
    shown = admin.get(url).content.decode()
    assert record.reference in shown and record.sha256 in shown
    assert record.retain_until.strftime("%d/%m/%Y") in shown


def test_without_the_eudr_module_the_section_and_the_recording_are_gone(erp_a, objects):
    admin, url = page_client(erp_a, "admin"), f"{SHIPMENTS}{objects['shipment']}/"
    assert 'id="due-diligence"' in admin.get(url).content.decode()
    license = erp_a.company.licenses.get()
    license.modules = [m for m in Module.values if m != Module.EUDR]
    license.save()
    assert 'id="due-diligence"' not in admin.get(url).content.decode()
    assert admin.post(f"{url}due-diligence/record/").status_code == 403


def test_the_shipment_page_is_in_spanish_first_and_in_english_for_an_english_user(erp_a, objects):
    url = f"{SHIPMENTS}{objects['shipment']}/"
    spanish = page_client(erp_a, "admin").get(url).content.decode()
    assert '<html lang="es">' in spanish and "5\xa0335,94 kg" in spanish
    english = english_client(erp_a).get(url).content.decode()
    assert '<html lang="en">' in english and "Checklist before sailing" in english
    assert "5,335.94 kg" in english and "117.64 qq" in english and "5.336 TM" in english  # 5,335.94 / 1,000
    assert "<strong>1.336</strong>" in english  # RAIU6900114: 535.92 + 800.02 = 1,335.94 kg


def test_the_status_buttons_move_a_shipment_and_a_refusal_is_shown_as_a_message(erp_a, objects):
    admin, url = english_client(erp_a), f"{SHIPMENTS}{objects['shipment']}/"
    for status in ("booked", "loading"):
        assert admin.post(f"{url}status/", {"status": status}).status_code == 302
    page = admin.get(url)
    assert [s.value for s in page.context["transitions"]] == ["cancelled", "shipped"]
    refused = admin.post(f"{url}status/", {"status": "shipped"}, follow=True)
    assert [str(m) for m in refused.context["messages"]] == ["Give the bill of lading number."]
    with tenant_context(erp_a.company):
        assert Shipment.objects.get(pk=objects["shipment"]).status == "loading"
