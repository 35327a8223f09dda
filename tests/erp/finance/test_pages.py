"""The finance pages: who may open each one (the company side everything, a supplier its own
payables, a center nothing), costs added through the form and shown in the lot's breakdown,
payments refused on their field or leaving a reception partly paid, the margins overview with
a hand-computed margin, a report downloaded, another company, the license and English."""

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from erp.finance.models import Cost, SupplierPayment
from erp.lots.models import Lot
from master.licensing.models import Module
from tests.erp.web.conftest import page_client

from .helpers import D, cost, receive, shipment_with, unpriced_sale

ROLES = ["admin", "exporter", "center", "supplier"]


def codes(admin, exporter, center, supplier):
    return dict(zip(ROLES, (admin, exporter, center, supplier), strict=True))


COMPANY_SIDE = codes(200, 200, 403, 403)
PAGES = [
    ("/finance/", COMPANY_SIDE),
    *((f"/finance/?by={by}", COMPANY_SIDE) for by in ("contract", "month", "supplier")),
    ("/finance/costs/", COMPANY_SIDE),
    ("/finance/costs/new/", COMPANY_SIDE),
    ("/finance/costs/{cost}/edit/", COMPANY_SIDE),
    ("/finance/lots/{lot}/cost/", COMPANY_SIDE),
    ("/finance/shipments/{shipment}/cost/", COMPANY_SIDE),
    ("/finance/payables/", codes(200, 200, 403, 200)),
    ("/finance/payables/{own}/pay/", COMPANY_SIDE),
    ("/finance/receivables/", COMPANY_SIDE),
    ("/finance/receivables/{shipment}/pay/", COMPANY_SIDE),
]
REFUSED_POSTS = [
    "/finance/costs/new/",
    "/finance/costs/{cost}/edit/",
    "/finance/costs/{cost}/delete/",
    "/finance/payables/{own}/pay/",
    "/finance/receivables/{shipment}/pay/",
]


@pytest.fixture
def objects(erp_a):
    """The supplier's reception (1,000 kg bought for 2,600 USD), 400 kg of it shipped at the
    fixed 6,250 USD/TM with 100 USD of export costs; the second supplier's reception (500 kg
    for 1,400 USD), received 45 days ago."""
    with tenant_context(erp_a.company):
        own = receive(erp_a, kg="1000", amount="2600")
        other = receive(erp_a, kg="500", amount="1400", supplier="supplier2", days_ago=45)
        sent = shipment_with(erp_a, [(own.lot, "400")])
        export_cost = cost(erp_a, amount="100", kind="export", shipment=sent)
        return {
            "own": own.pk,
            "own_number": own.number,
            "other": other.pk,
            "other_number": other.number,
            "lot": own.lot_id,
            "shipment": sent.pk,
            "shipment_code": sent.code,
            "cost": export_cost.pk,
        }


def english_client(world, role: str):
    with tenant_context(world.company):
        world.users[role].language = "en"
        world.users[role].save(update_fields=["language"])
    return page_client(world, role)


def _row(html: str, marker: str) -> str:
    """The table row carrying ``marker`` (a data- attribute's value), up to its end."""
    start = html.index(marker)
    return html[start : html.index("</tr>", start)]


def test_each_page_opens_for_its_roles_only(erp_a, objects):
    clients = {role: page_client(erp_a, role) for role in ROLES}
    for page, expected in PAGES:
        url = page.format(**objects)
        for role in ROLES:
            status = clients[role].get(url).status_code
            assert status == expected[role], f"{url} as {role}: {status}"
    for page in REFUSED_POSTS:
        for role in ("center", "supplier"):
            assert clients[role].post(page.format(**objects), {}).status_code == 403, (page, role)
    assert page_client(erp_a, None).get("/finance/").status_code == 302  # to the login
    with tenant_context(erp_a.company):
        assert Cost.objects.filter(pk=objects["cost"]).exists()  # the refused delete left it


def test_a_supplier_reads_only_its_own_payables_and_cannot_pay(erp_a, objects):
    page = page_client(erp_a, "supplier").get("/finance/payables/")
    html = page.content.decode()
    assert objects["own_number"] in html and objects["other_number"] not in html
    assert "/pay/" not in html and "supplier" not in page.context["form"].fields
    assert [row["name"] for row in page.context["ageing"]] == ["A Finca Uno"]


def test_the_payables_list_shows_each_reception_and_the_ageing_per_supplier(erp_a, objects):
    html = page_client(erp_a, "exporter").get("/finance/payables/").content.decode()
    other = _row(html, f'data-payable="{objects["other_number"]}"')
    assert "A Finca Dos" in other and "USD 1\xa0400,00" in other and ">45<" in other
    ageing = _row(html, 'data-ageing="A Finca Dos"')
    assert ageing.count("USD 0,00") == 3 and ageing.count("USD 1\xa0400,00") == 2  # 31–60 days, total
    with tenant_context(erp_a.company):
        supplier2 = erp_a.partners["supplier2"].pk
    filtered = page_client(erp_a, "admin").get("/finance/payables/", {"supplier": supplier2}).content
    assert objects["own_number"] not in filtered.decode()


def test_a_cost_added_through_the_form_shows_in_the_lots_breakdown(erp_a, objects):
    admin = page_client(erp_a, "admin")
    form = {"kind": "transport", "lot_code": "", "amount_usd": "150,00", "incurred_on": timezone.localdate()}
    with tenant_context(erp_a.company):
        form["lot_code"] = Lot.objects.get(pk=objects["lot"]).code
    response = admin.post("/finance/costs/new/", form)
    assert response.status_code == 302 and response.url == f"/finance/lots/{objects['lot']}/cost/"
    html = admin.get(response.url).content.decode()
    # 2,600 + 150 = 2,750 USD over 1,000 kg: 2.75 USD/kg, × 45.359237 = 124.74 USD/qq
    assert "USD 2\xa0750,00" in html and "USD 150,00" in html
    assert "data-unit-kg>2,7500<" in html and "data-unit-qq>124,74<" in html
    listed = admin.get("/finance/costs/", {"kind": "transport"}).content.decode()
    assert "USD 150,00" in listed and "USD 100,00" not in listed  # the export cost is filtered out


def test_a_cost_on_both_a_lot_and_a_shipment_or_an_unknown_lot_is_refused_on_the_fields(erp_a, objects):
    admin = page_client(erp_a, "admin")
    form = {"kind": "storage", "amount_usd": "20", "incurred_on": timezone.localdate()}
    with tenant_context(erp_a.company):
        code = Lot.objects.get(pk=objects["lot"]).code
    both = admin.post("/finance/costs/new/", {**form, "lot_code": code, "shipment": objects["shipment"]})
    errors = both.context["form"].errors
    assert both.status_code == 200 and errors["lot_code"] == errors["shipment"]
    unknown = admin.post("/finance/costs/new/", {**form, "lot_code": "NO-SUCH-LOT"})
    assert unknown.context["form"].errors["lot_code"]
    cents = admin.post("/finance/costs/new/", {**form, "lot_code": code, "amount_usd": "20,005"})
    assert cents.context["form"].errors["amount_usd"]
    with tenant_context(erp_a.company):
        assert Cost.objects.count() == 1


def test_a_cost_is_edited_then_deleted(erp_a, objects):
    admin = page_client(erp_a, "admin")
    edit = f"/finance/costs/{objects['cost']}/edit/"
    body = {
        "kind": "export",
        "lot_code": "",
        "shipment": objects["shipment"],
        "incurred_on": timezone.localdate(),
    }
    response = admin.post(edit, {**body, "amount_usd": "120,50"})
    assert response.url == f"/finance/shipments/{objects['shipment']}/cost/"
    assert "USD 120,50" in admin.get(response.url).content.decode()
    assert admin.post(f"/finance/costs/{objects['cost']}/delete/").url == "/finance/costs/"
    with tenant_context(erp_a.company):
        assert not Cost.objects.exists()


def test_an_over_payment_is_refused_on_the_amount_field(erp_a, objects):
    admin = english_client(erp_a, "admin")
    body = {"paid_on": timezone.localdate(), "method": "transfer"}
    response = admin.post(f"/finance/payables/{objects['own']}/pay/", {**body, "amount_usd": "2600.01"})
    assert response.status_code == 200
    assert response.context["form"].errors["amount_usd"] == [
        f"Only 2600.00 USD of reception {objects['own_number']} are pending."
    ]
    assert 'class="error"' in response.content.decode()
    with tenant_context(erp_a.company):
        assert not SupplierPayment.objects.exists()


def test_a_partial_payment_leaves_the_reception_partly_paid(erp_a, objects):
    admin = page_client(erp_a, "admin")
    body = {"paid_on": timezone.localdate(), "method": "cash", "amount_usd": "1000"}
    response = admin.post(f"/finance/payables/{objects['own']}/pay/", body)
    assert response.status_code == 302 and response.url == "/finance/payables/"
    partial = admin.get("/finance/payables/", {"status": "partial"}).content.decode()
    row = _row(partial, f'data-payable="{objects["own_number"]}"')
    assert 'data-payment-status="partial"' in row and "USD 1\xa0600,00" in row
    assert objects["other_number"] not in partial  # still pending: filtered out


def test_the_margins_page_shows_a_hand_computed_margin_and_the_unpriced_apart(erp_a, objects):
    with tenant_context(erp_a.company):
        waiting_lot = receive(erp_a, kg="300", amount="900").lot
        waiting = shipment_with(
            erp_a, [(waiting_lot, "300")], sales_contract=unpriced_sale(erp_a), number="RAIU6900114"
        )
    admin = page_client(erp_a, "admin")
    html = admin.get("/finance/").content.decode()
    row = _row(html, f'data-margin-row="{objects["shipment_code"]}"')
    # 0.4 TM × 6,250 = 2,500; 400 kg × 2.60 + 100 of export = 1,140; 1,360 is 54.40 % of 2,500
    assert "USD 2\xa0500,00" in row and "USD 1\xa0140,00" in row
    assert "USD 1\xa0360,00" in row and "54,40 %" in row
    assert f'data-not-priced="{waiting.code}"' in html and f'data-margin-row="{waiting.code}"' not in html
    shipment = admin.get(f"/finance/shipments/{objects['shipment']}/cost/").content.decode()
    assert "data-revenue>USD 2\xa0500,00<" in shipment and "data-margin>USD 1\xa0360,00<" in shipment
    by_contract = admin.get("/finance/", {"by": "contract"}).content.decode()
    assert "A Buyer GmbH" in by_contract and "USD 1\xa0360,00" in by_contract


def test_a_report_link_downloads_a_csv(erp_a, objects):
    admin = page_client(erp_a, "admin")
    link = "/api/v1/finance/reports/margin-by-contract.csv"
    assert f'href="{link}"' in admin.get("/finance/").content.decode()
    response = admin.get(link)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "1360.00" in response.content.decode("utf-8-sig").replace(",", ".")


def test_a_buyer_payment_in_part_leaves_the_shipment_partly_paid(erp_a, objects):
    admin = page_client(erp_a, "admin")
    page = f"/finance/receivables/{objects['shipment']}/pay/"
    too_much = admin.post(page, {"amount_usd": "2500,01", "received_on": timezone.localdate()})
    assert too_much.context["form"].errors["amount_usd"]
    assert admin.post(page, {"amount_usd": "1000", "received_on": timezone.localdate()}).status_code == 302
    row = _row(
        admin.get("/finance/receivables/").content.decode(), f'data-receivable="{objects["shipment_code"]}"'
    )
    assert "A Buyer GmbH" in row and "USD 1\xa0500,00" in row and 'data-payment-status="partial"' in row


def test_another_companys_user_gets_404_for_a_lot_cost_page(erp_a, erp_b, objects):
    with tenant_context(erp_b.company):
        assert not Lot.all_objects.filter(pk=objects["lot"]).exists()
    assert page_client(erp_b, "admin").get(f"/finance/lots/{objects['lot']}/cost/").status_code == 404


def test_without_the_finance_module_the_pages_are_refused(erp_a, objects):
    license = erp_a.company.licenses.get()
    license.modules = [module for module in Module.values if module != Module.FINANCE]
    license.save()
    assert page_client(erp_a, "admin").get("/finance/").status_code == 403


def test_the_payables_page_in_english(erp_a, objects):
    html = english_client(erp_a, "admin").get("/finance/payables/").content.decode()
    assert '<html lang="en">' in html and "Ageing of what is pending" in html and "31–60 days" in html
    assert 'data-payment-status="pending"' in html and "Record a payment" in html


def test_old_pending_is_aged_over_90_days(erp_a):
    with tenant_context(erp_a.company):
        receive(erp_a, kg="100", amount="260", days_ago=91)
    page = page_client(erp_a, "admin").get("/finance/payables/")
    (row,) = page.context["ageing"]
    assert row["amounts"] == [D("0"), D("0"), D("0"), D("260")] and row["total"] == D("260")
