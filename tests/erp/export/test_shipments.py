"""Shipments through the API: containers (ISO 6346), lots loaded out of the warehouse and
back, the kilograms added up, the refusals (stock, variety, EUDR mixing), the status
workflow and the documents uploaded."""

import pytest
from django_tenants.utils import tenant_context

from erp.eudr.models import Plot
from erp.export import services
from erp.export.models import ContainerLot
from erp.inventory.models import StockBalance, StockMovement
from erp.ledger.models import LedgerEntry
from erp.lots.services import lot_create
from triboka.audit.models import AuditEvent

from .helpers import BASE, D, in_company, in_stock, loaded_shipment, pdf_upload, shipment, upload

SHIPMENTS = f"{BASE}/shipments/"


@pytest.fixture
def loaded(erp_a):
    """The shipment of helpers.py: two containers, three loads, 5,335.94 kg."""
    return in_company(erp_a, loaded_shipment)


def container_of(world, sent, number):
    with tenant_context(world.company):
        return sent.containers.get(number=number)


def stock(world, name):
    with tenant_context(world.company):
        return StockBalance.objects.get(lot=world.lots[name]).kg


def test_a_shipment_adds_up_its_containers_in_kg_qq_tm_and_sacks(erp_a, loaded):
    client = erp_a.client("exporter")
    data = client.get(f"{SHIPMENTS}{loaded.pk}/").json()
    assert (data["net_kg"], data["net_qq"], data["net_tm"], data["sacks"]) == (
        "5335.94",
        "117.64",
        "5.336",
        78,
    )
    assert data["container_count"] == 2 and data["sales_contract_code"] == loaded.sales_contract.code
    containers = client.get(f"{SHIPMENTS}{loaded.pk}/containers/").json()
    assert [(c["number"], c["net_kg"], c["net_qq"], c["net_tm"], c["sacks"]) for c in containers] == [
        ("CSQU3054383", "4000.00", "88.18", "4.000", 58),
        ("RAIU6900114", "1335.94", "29.45", "1.336", 20),
    ]
    assert [(row["lot_code"], row["kg"], row["qq"]) for row in containers[1]["loads"]] == [
        (erp_a.lots["center"].code, "535.92", "11.82"),
        (erp_a.lots["supplier"].code, "800.02", "17.64"),
    ]
    listed = client.get(SHIPMENTS).json()["results"]
    assert [(row["code"], row["net_kg"]) for row in listed] == [(loaded.code, "5335.94")]
    sale = client.get(f"{BASE}/sales-contracts/{loaded.sales_contract_id}/").json()
    assert (sale["loaded_kg"], sale["loaded_tm"]) == ("5335.94", "5.336")


def test_loading_takes_the_kg_out_of_the_warehouse_as_a_movement_the_ledger_records(erp_a, loaded):
    assert stock(erp_a, "center") == D("0.00") and stock(erp_a, "supplier") == D("107.16")  # 907.18 − 800.02
    with tenant_context(erp_a.company):
        outs = StockMovement.objects.filter(kind="out", reference=loaded.code)
        assert sorted(outs.values_list("kg", flat=True)) == [D("535.92"), D("800.02"), D("4000.00")]
        load = ContainerLot.objects.get(kg=D("800.02"))
        assert load.movement.lot == erp_a.lots["supplier"]
        ledger = LedgerEntry.objects.filter(lot_id=erp_a.lots["supplier"].pk, kind="moved").order_by("-seq")[
            0
        ]
        assert ledger.payload["changes"]["movement"] == "out" and ledger.payload["changes"]["kg"] == "800.02"
        assert loaded.code in ledger.payload["changes"]["reason"]
        assert AuditEvent.objects.filter(action="export.container.load").count() == 3


def test_more_than_the_warehouse_holds_is_refused(erp_a, loaded):
    container = container_of(erp_a, loaded, "RAIU6900114")
    warehouse = in_company(erp_a, lambda world: in_stock(world))
    refused = erp_a.client("admin").post(
        f"{BASE}/containers/{container.pk}/loads/",
        {"lot": erp_a.lots["supplier"].pk, "kg": "107.17", "sacks": 2, "warehouse": warehouse.pk},
        format="json",
    )
    assert refused.status_code == 400 and "107.16" in refused.json()["kg"][0]
    assert stock(erp_a, "supplier") == D("107.16")


def test_a_lot_of_another_variety_than_the_sale_is_refused(erp_a, loaded):
    def ccn51_in_stock(world):
        lot = lot_create(
            user=world.users["admin"], owner=world.partners["center"], weight_kg=D("500"), variety="ccn51"
        )
        world.lots["ccn51"] = lot
        return in_stock(world, "ccn51")

    warehouse = in_company(erp_a, ccn51_in_stock)
    container = container_of(erp_a, loaded, "CSQU3054383")
    refused = erp_a.client("admin").post(
        f"{BASE}/containers/{container.pk}/loads/",
        {"lot": erp_a.lots["ccn51"].pk, "kg": "100", "warehouse": warehouse.pk},
        format="json",
    )
    assert refused.status_code == 400 and "CCN-51" in refused.json()["lot"][0]
    assert stock(erp_a, "ccn51") == D("500.00")


def test_lots_from_eudr_verified_plots_are_not_shipped_with_others(erp_a, loaded):
    from tests.erp.reception.helpers import make

    def verified_lot(world):
        reception = make(world)
        reception.plots.add(
            Plot.objects.create(
                code="PL-T-1",
                supplier=world.partners["supplier"],
                name="Finca La Verde",
                area_ha=D("2.5"),
                geometry={"type": "Point", "coordinates": [-79.512345, -1.912345]},
                geometry_kind="Point",
                centroid_lon=D("-79.512345"),
                centroid_lat=D("-1.912345"),
                deforestation_free=True,
                status="verified",
            )
        )
        return reception

    reception = in_company(erp_a, verified_lot)
    container = container_of(erp_a, loaded, "CSQU3054383")
    refused = erp_a.client("admin").post(
        f"{BASE}/containers/{container.pk}/loads/",
        {"lot": reception.lot_id, "kg": "500", "warehouse": _center_warehouse(erp_a).pk},
        format="json",
    )
    assert refused.status_code == 400
    message = refused.json()["lot"][0]
    assert reception.lot.code in message and erp_a.lots["center"].code in message

    # In a shipment of its own, the verified lot goes.
    def own_shipment(world):
        return services.container_add(
            shipment=shipment(world), number="ZEPU0037255", user=world.users["admin"]
        )

    alone = in_company(erp_a, own_shipment)
    taken = erp_a.client("admin").post(
        f"{BASE}/containers/{alone.pk}/loads/",
        {"lot": reception.lot_id, "kg": "500", "warehouse": _center_warehouse(erp_a).pk},
        format="json",
    )
    assert taken.status_code == 201, taken.content


def _center_warehouse(world):
    from erp.inventory.models import Warehouse

    with tenant_context(world.company):
        return Warehouse.objects.get(center=world.partners["center"], is_default=True)


def test_unloading_gives_the_kg_back_to_its_warehouse_until_the_shipment_sails(erp_a, loaded):
    with tenant_context(erp_a.company):
        load = ContainerLot.objects.get(kg=D("800.02"))
    client = erp_a.client("admin")
    assert client.delete(f"{BASE}/loads/{load.pk}/").status_code == 204
    assert stock(erp_a, "supplier") == D("907.18")
    with tenant_context(erp_a.company):
        back = StockMovement.objects.filter(lot=erp_a.lots["supplier"]).order_by("-id")[0]
        assert (back.kind, back.kg, back.to_warehouse.is_default) == ("adjustment", D("800.02"), True)
        assert loaded.code in back.reason and "RAIU6900114" in back.reason
        sailing = ContainerLot.objects.get(kg=D("535.92"))
    assert client.get(f"{SHIPMENTS}{loaded.pk}/").json()["net_kg"] == "4535.92"
    _sail(erp_a, loaded)
    assert client.delete(f"{BASE}/loads/{sailing.pk}/").json().keys() >= {"load"}
    assert stock(erp_a, "center") == D("0.00")


def _sail(world, sent):
    client = world.client("admin")
    client.patch(f"{SHIPMENTS}{sent.pk}/", {"bill_of_lading": "MEDU1234567"}, format="json")
    for status in ("booked", "loading", "shipped"):
        moved = client.post(f"{SHIPMENTS}{sent.pk}/status/", {"status": status}, format="json")
        assert moved.status_code == 200, moved.content


def test_a_shipment_sails_only_booked_with_its_bill_of_lading_and_sealed_loaded_containers(erp_a, loaded):
    client = erp_a.client("admin")

    def to(status):
        return client.post(f"{SHIPMENTS}{loaded.pk}/status/", {"status": status}, format="json")

    assert to("shipped").status_code == 400  # planned → shipped skips steps
    assert to("booked").status_code == 200 and to("loading").status_code == 200
    empty = client.post(
        f"{SHIPMENTS}{loaded.pk}/containers/", {"number": "ZEPU0037255"}, format="json"
    ).json()
    refused = to("shipped").json()
    assert refused.keys() >= {"bill_of_lading", "containers"}
    assert "ZEPU0037255" in refused["containers"][0]
    assert client.delete(f"{BASE}/containers/{empty['id']}/").status_code == 204
    client.patch(f"{SHIPMENTS}{loaded.pk}/", {"bill_of_lading": "medu1234567"}, format="json")
    shipped = to("shipped")
    assert shipped.status_code == 200 and shipped.json()["bill_of_lading"] == "MEDU1234567"
    assert shipped.json()["allowed_statuses"] == ["arrived"] and to("cancelled").status_code == 400
    assert client.patch(f"{SHIPMENTS}{loaded.pk}/", {"vessel": "Otro"}, format="json").json().keys() >= {
        "vessel"
    }
    assert client.patch(f"{SHIPMENTS}{loaded.pk}/", {"eta": "2026-12-20"}, format="json").status_code == 200
    assert to("arrived").json()["status"] == "arrived"
    with tenant_context(erp_a.company):
        assert AuditEvent.objects.filter(action="export.shipment.status").count() == 4


def test_a_shipment_with_lots_loaded_is_not_cancelled_and_an_empty_one_is(erp_a, loaded):
    client = erp_a.client("admin")
    refused = client.post(f"{SHIPMENTS}{loaded.pk}/status/", {"status": "cancelled"}, format="json")
    assert refused.status_code == 400 and "3" in refused.json()["status"][0]
    empty = in_company(erp_a, lambda world: shipment(world, loaded.sales_contract))
    assert (
        client.post(f"{SHIPMENTS}{empty.pk}/status/", {"status": "booked"}, format="json").status_code == 200
    )
    cancelled = client.post(f"{SHIPMENTS}{empty.pk}/status/", {"status": "cancelled"}, format="json")
    assert cancelled.json()["status"] == "cancelled"
    assert client.delete(f"{SHIPMENTS}{empty.pk}/").status_code == 400  # kept as a record
    planned = in_company(erp_a, lambda world: shipment(world, loaded.sales_contract))
    assert client.delete(f"{SHIPMENTS}{planned.pk}/").status_code == 204


def test_containers_are_checked_cleaned_once_per_shipment_and_removed_only_empty(erp_a, loaded):
    client = erp_a.client("admin")
    url = f"{SHIPMENTS}{loaded.pk}/containers/"
    wrong = client.post(url, {"number": "CSQU3054384"}, format="json")
    assert wrong.status_code == 400 and "3" in wrong.json()["number"][0]
    assert client.post(url, {"number": "csqu 305438-3"}, format="json").json().keys() >= {"number"}  # twice
    added = client.post(
        url, {"number": "bicu 123456-5", "seal_number": " ec-9 ", "size": "40hc"}, format="json"
    )
    assert added.status_code == 201, added.content
    assert (added.json()["number"], added.json()["seal_number"], added.json()["size"]) == (
        "BICU1234565",
        "EC-9",
        "40HC",
    )
    other = in_company(erp_a, lambda world: shipment(world, loaded.sales_contract))
    busy = client.post(f"{SHIPMENTS}{other.pk}/containers/", {"number": "BICU1234565"}, format="json")
    assert busy.status_code == 400 and loaded.code in busy.json()["number"][0]
    sealed = client.patch(f"{BASE}/containers/{added.json()['id']}/", {"seal_number": "EC-10"}, format="json")
    assert sealed.json()["seal_number"] == "EC-10"
    full = container_of(erp_a, loaded, "CSQU3054383")
    assert client.delete(f"{BASE}/containers/{full.pk}/").json().keys() >= {"container"}
    assert client.delete(f"{BASE}/containers/{added.json()['id']}/").status_code == 204


def test_documents_are_uploaded_with_their_number_checked_by_content_and_kept_once_sailed(erp_a, loaded):
    client = erp_a.client("exporter")
    url = f"{SHIPMENTS}{loaded.pk}/documents/"
    form = {
        "kind": "phytosanitary",
        "number": "AGRO-2026-123",
        "issued_on": "2026-11-18",
        "file": pdf_upload(),
    }
    added = client.post(url, form, format="multipart")
    assert added.status_code == 201, added.content
    document = added.json()
    assert (document["kind"], document["number"], document["content_type"]) == (
        "phytosanitary",
        "AGRO-2026-123",
        "application/pdf",
    )
    assert client.get(document["file_url"]).getvalue().startswith(b"%PDF")
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = SimpleUploadedFile("fito.pdf", b"no es un PDF", content_type="application/pdf")
    assert client.post(url, {**form, "file": text}, format="multipart").json().keys() >= {"file"}
    assert (
        client.post(url, {**form, "number": " ", "file": pdf_upload()}, format="multipart").status_code == 400
    )
    assert [row["number"] for row in client.get(url).json()] == ["AGRO-2026-123"]
    with tenant_context(erp_a.company):
        assert services.ShipmentDocument.objects.get().file.name.startswith("export/documents/")
        spare = upload(erp_a, loaded, "other", "PL-1")
    assert client.delete(f"{BASE}/shipment-documents/{spare.pk}/").status_code == 204
    _sail(erp_a, loaded)
    kept = client.delete(f"{BASE}/shipment-documents/{document['id']}/")
    assert kept.status_code == 400 and "document" in kept.json()


def test_bad_input_answers_400_not_500(erp_a, loaded):
    client = erp_a.client("admin")
    container = container_of(erp_a, loaded, "CSQU3054383")
    for data in ({"lot": "x", "kg": "1", "warehouse": 1}, {"kg": "-5"}, {"kg": "1.234"}, {}):
        assert client.post(f"{BASE}/containers/{container.pk}/loads/", data, format="json").status_code == 400
    assert (
        client.post(f"{SHIPMENTS}{loaded.pk}/status/", {"status": "sunk"}, format="json").status_code == 400
    )
    assert client.patch(
        f"{SHIPMENTS}{loaded.pk}/", {"etd": "2026-12-31", "eta": "2026-12-01"}, format="json"
    ).json().keys() >= {"eta"}
    assert client.get(f"{SHIPMENTS}abc/").status_code == 404
