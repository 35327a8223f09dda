"""The IoT pages: who may open each one, what a center, a supplier and another company see,
a device's key shown once (and working), the license's device limit and IoT module, readings
on a lot's page and its chart, lot assignment, CSV import reports."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import tenant_context

from erp.lots.models import LotEvent, LotEventAction
from erp.partners.services import partner_create
from iot.models import Device, ImportStatus, Reading, ReadingImport
from iot.services import readings_ingest
from master.licensing.models import Module
from tests.erp.web.conftest import page_client

from .conftest import make_scale

ROLES = ["admin", "exporter", "center", "supplier"]
OK, NO = 200, 403
KEY = re.compile(r'id="device-key"[^>]*value="([0-9a-f]+\.[\w-]+)"')


def only(*roles):
    return {role: OK if role in roles else NO for role in ROLES}


WITH_CENTERS = only("admin", "exporter", "center")
ADMIN = only("admin")
PAGES = [
    ("/iot/devices/", WITH_CENTERS),
    ("/iot/devices/new/", ADMIN),
    ("/iot/devices/{device}/", WITH_CENTERS),
    ("/iot/devices/{device}/edit/", ADMIN),
    ("/iot/devices/{device}/deactivate/", ADMIN),
    ("/iot/devices/{device}/activate/", ADMIN),
    ("/iot/devices/{device}/rotate-key/", ADMIN),
    ("/iot/devices/{device}/revoke-key/", ADMIN),
    ("/iot/readings/", only(*ROLES)),
    ("/iot/readings/{reading}/assign/", WITH_CENTERS),
    ("/iot/imports/", WITH_CENTERS),
    ("/iot/imports/new/", WITH_CENTERS),
    ("/iot/imports/{import}/", WITH_CENTERS),
]


def ingest(scale, *items):
    with tenant_context(scale.world.company):
        report = readings_ingest(device=scale.device, items=list(items), origin="rest")
    connection.set_schema_to_public()
    return report


def reading_of(scale, **values) -> Reading:
    report = ingest(scale, {"net_kg": "1234,5", "moisture": "7,2", **values})
    with tenant_context(scale.world.company):
        return Reading.objects.get(pk=report.reading_ids[0])


def import_of(scale, **fields) -> ReadingImport:
    with tenant_context(scale.world.company):
        return ReadingImport.objects.create(device=scale.device, original_name="pesos.csv", **fields)


@pytest.fixture
def objects(scale_a):
    return {
        "device": scale_a.device.pk,
        "reading": reading_of(scale_a).pk,
        "import": import_of(scale_a, status=ImportStatus.DONE, size_bytes=10, added=1).pk,
    }


def test_each_page_opens_for_its_roles_only(scale_a, objects):
    for page, expected in PAGES:
        url = page.format(**objects)
        for role in ROLES:
            response = page_client(scale_a.world, role).get(url)
            assert response.status_code == expected[role], (url, role)
            if expected[role] == NO:
                assert "no tiene acceso" in response.content.decode()  # the friendly page
        anonymous = page_client(scale_a.world, None).get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/"), url


def test_a_center_sees_only_the_devices_and_readings_at_its_center(scale_a):
    world = scale_a.world
    with tenant_context(world.company):
        other_center = partner_create(
            name="A Otro Centro", kind="center", tax_id="1300129499001", province="13"
        )
    connection.set_schema_to_public()
    other = make_scale(world, name="Báscula Lejana", serial="SN-FAR", location=other_center)
    reading_of(scale_a, net_kg="111")
    reading_of(other, net_kg="999")
    center = page_client(world, "center")
    devices = center.get("/iot/devices/").content.decode()
    assert "Báscula 1" in devices and "Báscula Lejana" not in devices
    readings = center.get("/iot/readings/").content.decode()
    assert "111,00 kg" in readings and "999,00 kg" not in readings
    assert center.get(f"/iot/devices/{other.device.pk}/").status_code == 404
    with tenant_context(world.company):
        far_reading = Reading.objects.get(device=other.device)
    assert center.get(f"/iot/readings/{far_reading.pk}/assign/").status_code == 404
    everything = page_client(world, "exporter").get("/iot/devices/").content.decode()
    assert "Báscula 1" in everything and "Báscula Lejana" in everything


def test_a_supplier_sees_no_device_and_only_the_readings_of_its_lots(scale_a):
    world = scale_a.world
    reading_of(scale_a, net_kg="111")  # of no lot
    supplier = page_client(world, "supplier")
    assert supplier.get("/iot/devices/").status_code == 403
    page = supplier.get("/iot/readings/").content.decode()
    assert "111,00 kg" not in page and "Báscula 1" not in page
    assert 'href="/iot/readings/"' in page  # the navigation leads a supplier to the readings


def test_company_b_gets_404_for_company_a_ids(scale_a, scale_b):
    with tenant_context(scale_b.world.company):
        b_ids = {
            "device": set(Device.objects.values_list("pk", flat=True)),
            "reading": set(Reading.objects.values_list("pk", flat=True)),
            "import": set(ReadingImport.objects.values_list("pk", flat=True)),
        }
    connection.set_schema_to_public()
    device, n = scale_a, 0
    while device.device.pk in b_ids["device"]:  # schemas number their rows alike: an id B lacks
        n += 1
        device = make_scale(scale_a.world, name=f"Báscula {n}", serial=f"SN-X{n}")
    reading = reading_of(device)
    while reading.pk in b_ids["reading"]:
        reading = reading_of(device, net_kg=str(100 + reading.pk))
    reading_import = import_of(device)
    while reading_import.pk in b_ids["import"]:
        reading_import = import_of(device)
    b_admin = page_client(scale_b.world, "admin")
    for url in (
        f"/iot/devices/{device.device.pk}/",
        f"/iot/devices/{device.device.pk}/edit/",
        f"/iot/devices/{device.device.pk}/rotate-key/",
        f"/iot/readings/{reading.pk}/assign/",
        f"/iot/imports/{reading_import.pk}/",
    ):
        assert b_admin.get(url).status_code == 404, url
    assert b_admin.post(f"/iot/devices/{device.device.pk}/deactivate/").status_code == 404
    assert "Báscula 1" not in b_admin.get("/iot/devices/").content.decode()


DEVICE_FORM = {
    "name": "Báscula Nueva",
    "kind": "scale",
    "serial_number": "SN-NEW-1",
    "transport": "rest",
    "calibration_factor": "1",
    "capacity_kg": "5000",
}


def test_registering_shows_the_key_once_and_the_key_sends_readings(erp_a):
    admin = page_client(erp_a, "admin")
    response = admin.post("/iot/devices/new/", {**DEVICE_FORM, "location": erp_a.partners["center"].pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    page = admin.get(response["Location"])
    assert "no-store" in page["Cache-Control"]
    key = KEY.search(page.content.decode()).group(1)
    again = admin.get(response["Location"]).content.decode()
    assert key not in again and 'id="device-key"' not in again  # shown once
    sent = erp_a.client(None)
    sent.credentials(HTTP_AUTHORIZATION=f"Device {key}")
    assert sent.post("/api/v1/iot/readings/", {"net_kg": "10,5"}, format="json").status_code == 201
    with tenant_context(erp_a.company):
        device = Device.objects.get(serial_number="SN-NEW-1")
        assert device.readings.get().net_kg == Decimal("10.50")
        assert device.location == erp_a.partners["center"] and device.capacity_kg == Decimal("5000")


def test_rotating_the_key_shows_a_new_one_and_the_old_one_stops_working(scale_a):
    admin = page_client(scale_a.world, "admin")
    url = f"/iot/devices/{scale_a.device.pk}/rotate-key/"
    assert 'method="post"' in admin.get(url).content.decode()  # a confirmation first
    page = admin.post(url, follow=True).content.decode()
    new_key = KEY.search(page).group(1)
    assert new_key != scale_a.key
    body = {"net_kg": "20"}
    assert scale_a.client().post("/api/v1/iot/readings/", body, format="json").status_code == 401
    assert scale_a.client(new_key).post("/api/v1/iot/readings/", body, format="json").status_code == 201
    admin.post(f"/iot/devices/{scale_a.device.pk}/revoke-key/")
    assert scale_a.client(new_key).post("/api/v1/iot/readings/", body, format="json").status_code == 401


def test_deactivating_stops_the_key_and_activating_respects_the_license_limit(scale_a):
    admin = page_client(scale_a.world, "admin")
    admin.post(f"/iot/devices/{scale_a.device.pk}/deactivate/")
    assert scale_a.client().post("/api/v1/iot/readings/", {"net_kg": "5"}, format="json").status_code == 401
    other = make_scale(scale_a.world, name="Báscula 2", serial="SN-0002")
    _license(scale_a.world.company, max_iot_devices=1)
    page = admin.post(f"/iot/devices/{scale_a.device.pk}/activate/", follow=True).content.decode()
    assert any("IoT" in message for message in re.findall(r'<li class="error">([^<]*)</li>', page))
    with tenant_context(scale_a.world.company):
        assert not Device.objects.get(pk=scale_a.device.pk).is_active
        assert Device.objects.get(pk=other.device.pk).is_active


def _license(company, **changes):
    license = company.licenses.get()
    for field, value in changes.items():
        setattr(license, field, value)
    license.save()  # clears the cached route, as any license change does


def test_the_device_limit_of_the_license_is_shown_on_the_form(scale_a):
    _license(scale_a.world.company, max_iot_devices=1)
    response = page_client(scale_a.world, "admin").post("/iot/devices/new/", DEVICE_FORM)
    assert response.status_code == 200
    errors = re.findall(r'<p class="error" role="alert">([^<]*)</p>', response.content.decode())
    assert any("IoT" in error and "1" in error for error in errors), errors
    assert 'value="Báscula Nueva"' in response.content.decode()  # what was typed stays
    with tenant_context(scale_a.world.company):
        assert not Device.objects.filter(serial_number="SN-NEW-1").exists()


def test_the_lot_page_shows_device_readings_and_the_measured_event(scale_a):
    lot = scale_a.world.lots["center"]
    ingest(
        scale_a,
        {"id": "r1", "lot": lot.code, "net_kg": "4500", "moisture": "7,1", "measured_at": "2026-11-30T08:00"},
        {"id": "r2", "lot": lot.code, "net_kg": "4400", "moisture": "6,9", "measured_at": "2026-11-30T10:00"},
    )
    with tenant_context(scale_a.world.company):
        assert LotEvent.objects.filter(lot=lot, action=LotEventAction.MEASURED).exists()
    for role in ("admin", "center"):
        page = page_client(scale_a.world, role).get(f"/lots/{lot.pk}/").content.decode()
        timeline = page.split('id="timeline-title"')[1].split("</ol>")[0]
        assert "SN-0001" in timeline and "Báscula 1" in timeline  # the event names its device
        section = page.split('id="readings-title"')[1]
        assert section.count("<svg") == 2  # weight and moisture
        rows = section.split("<tbody>")[1]
        assert re.search(r"4\D?400,00 kg", rows)
        assert rows.index("6,90 %") < rows.index("7,10 %")  # newest first


def test_the_readings_chart_is_drawn_when_filtered_by_one_lot(scale_a):
    lot = scale_a.world.lots["center"]
    ingest(
        scale_a,
        *[{"id": f"c{n}", "lot": lot.code, "net_kg": 4000 + n * 10, "moisture": "7,0"} for n in range(3)],
        {"id": "loose", "net_kg": "77"},
    )
    client = page_client(scale_a.world, "exporter")
    page = client.get("/iot/readings/", {"lot": lot.code}).content.decode()
    assert page.count("<svg") == 2 and lot.code in page and "77,00 kg" not in page
    assert "<svg" not in client.get("/iot/readings/").content.decode()


def test_a_center_assigns_a_reading_to_its_lot_and_not_to_another_partners(scale_a):
    world = scale_a.world
    reading = reading_of(scale_a, net_kg="4321")
    center = page_client(world, "center")
    refused = center.post(f"/iot/readings/{reading.pk}/assign/", {"lot": world.lots["supplier"].code})
    assert refused.status_code == 400
    lot = world.lots["center"]
    done = center.post(f"/iot/readings/{reading.pk}/assign/", {"lot": lot.code, "next": "/iot/readings/"})
    assert done.status_code == 302 and done["Location"] == "/iot/readings/"
    with tenant_context(world.company):
        lot.refresh_from_db()
        assert lot.weight_kg == Decimal("4321.00")
        assert Reading.objects.get(pk=reading.pk).lot == lot
    assert (
        page_client(world, "supplier").post(f"/iot/readings/{reading.pk}/assign/", {"lot": ""}).status_code
        == 403
    )


def test_the_import_report_shows_its_rejected_rows_and_refreshes_while_running(scale_a):
    rejections = [{"line": 7, "errors": {"net_kg": "Not a number: abc."}}]
    done = import_of(
        scale_a,
        status=ImportStatus.DONE,
        size_bytes=100,
        added=5,
        duplicates=2,
        rejected=1,
        rejections=rejections,
    )
    client = page_client(scale_a.world, "center")
    response = client.get(f"/iot/imports/{done.pk}/")
    page = response.content.decode()
    assert "Not a number: abc." in page and '<td class="num">7</td>' in page
    assert 'aria-valuenow="100"' in page and "Refresh" not in response
    running = import_of(scale_a, status=ImportStatus.RUNNING, size_bytes=1000, bytes_done=250)
    response = client.get(f"/iot/imports/{running.pk}/")
    assert response["Refresh"] and 'aria-valuenow="25"' in response.content.decode()


def test_a_csv_file_uploaded_on_the_page_is_imported_with_its_report(scale_a):
    csv = "Fecha;Hora;Peso neto;Humedad\n30.11.2026;08:00:00;1.234,5;7,1\n30.11.2026;08:05:00;abc;7,0\n"
    upload = SimpleUploadedFile("pesos.csv", csv.encode(), content_type="text/csv")
    client = page_client(scale_a.world, "center")
    response = client.post("/iot/imports/new/", {"device": scale_a.device.pk, "file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    report = client.get(response["Location"]).content.decode()
    assert "pesos.csv" in report
    with tenant_context(scale_a.world.company):
        reading_import = ReadingImport.objects.get(device=scale_a.device)
        assert (reading_import.added, reading_import.rejected) == (1, 1)
    empty = SimpleUploadedFile("vacio.csv", b"", content_type="text/csv")
    refused = client.post("/iot/imports/new/", {"device": scale_a.device.pk, "file": empty})
    assert refused.status_code == 200 and 'class="error"' in refused.content.decode()


def test_without_the_iot_module_the_pages_are_403_and_the_lot_page_has_no_readings(scale_a):
    world = scale_a.world
    admin = page_client(world, "admin")
    assert 'href="/iot/devices/"' in admin.get("/").content.decode()
    _license(world.company, modules=[m for m in Module.values if m != Module.IOT])
    for url in ("/iot/devices/", "/iot/readings/", "/iot/imports/", f"/iot/devices/{scale_a.device.pk}/"):
        assert admin.get(url).status_code == 403, url
    assert 'href="/iot/' not in admin.get("/").content.decode()
    lot_page = admin.get(f"/lots/{world.lots['center'].pk}/").content.decode()
    assert 'id="readings-title"' not in lot_page
