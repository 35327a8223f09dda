"""IoT in the company's admin (lists without N+1 queries, devices registered and given new
keys through the services) and in the master dashboard's per-company figures."""

import re

from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from iot.models import Device, DeviceError
from iot.services import readings_ingest
from master.analytics.services import company_facts_refresh
from tests.conftest import STAFF_EMAIL, web_client

from .conftest import make_scale

KEY = re.compile(r"([0-9a-f]{12}\.[\w-]{40,})")


def admin_client(world) -> Client:
    client = Client(HTTP_HOST=world.host)
    with tenant_context(world.company):
        client.force_login(world.users["admin"])
    return client


def _readings(scale, count: int, lot=None) -> None:
    with tenant_context(scale.world.company):
        items = [{"id": f"{scale.device.pk}-{n}", "net_kg": 100 + n, "moisture": "7"} for n in range(count)]
        if lot is not None:
            for item in items:
                item["lot"] = lot.code
        readings_ingest(device=scale.device, items=items, origin="rest")
    connection.set_schema_to_public()


def test_the_company_admin_lists_devices_and_readings_without_a_query_per_row(
    scale_a, django_assert_max_num_queries
):
    world = scale_a.world
    scales = [scale_a] + [make_scale(world, name=f"Báscula {n}", serial=f"SN-L{n}") for n in range(2, 7)]
    for scale in scales:
        _readings(scale, 5, lot=world.lots["center"])
    client = admin_client(world)
    client.get("/admin/iot/device/")  # sessions, permissions and the route are read once
    with django_assert_max_num_queries(10):
        devices = client.get("/admin/iot/device/")
    assert devices.status_code == 200 and all(s.device.name in devices.content.decode() for s in scales)
    with django_assert_max_num_queries(11):
        readings = client.get("/admin/iot/reading/")
    assert readings.status_code == 200 and world.lots["center"].code in readings.content.decode()
    for url in ("/admin/iot/readingimport/", "/admin/iot/deviceerror/", "/admin/iot/iotsettings/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/iot/reading/add/").status_code == 403  # read only


def test_the_admin_registers_a_device_showing_its_key_once_and_rotates_keys(erp_a):
    client = admin_client(erp_a)
    form = {
        "name": "Báscula Admin",
        "kind": "scale",
        "serial_number": "SN-ADM-1",
        "location": erp_a.partners["center"].pk,
        "transport": "rest",
        "calibration_factor": "1",
        "csv_columns": "{}",
    }
    response = client.post("/admin/iot/device/add/", form, follow=True)
    assert response.status_code == 200
    key = KEY.search(response.content.decode()).group(1)
    assert not KEY.search(client.get(response.redirect_chain[-1][0]).content.decode())  # once
    with tenant_context(erp_a.company):
        device = Device.objects.get(serial_number="SN-ADM-1")
    sender = erp_a.client(None)
    sender.credentials(HTTP_AUTHORIZATION=f"Device {key}")
    assert sender.post("/api/v1/iot/readings/", {"net_kg": "1"}, format="json").status_code == 201
    action = {"action": "rotate_key", "_selected_action": [device.pk]}
    rotated = client.post("/admin/iot/device/", action, follow=True).content.decode()
    new_key = KEY.search(rotated).group(1)
    assert new_key != key
    assert sender.post("/api/v1/iot/readings/", {"net_kg": "2"}, format="json").status_code == 401
    client.post("/admin/iot/device/", {"action": "deactivate", "_selected_action": [device.pk]})
    with tenant_context(erp_a.company):
        assert not Device.objects.get(pk=device.pk).is_active


def test_company_facts_carry_the_iot_figures_to_the_master_dashboard(scale_a, root_host, staff_api):
    _readings(scale_a, 3)
    with tenant_context(scale_a.world.company):
        DeviceError.objects.create(device=scale_a.device, origin="rest", message="bad")
        facts = company_facts_refresh()
    connection.set_schema_to_public()
    assert (facts.iot_devices, facts.iot_readings_today, facts.iot_errors_today) == (1, 3, 1)
    assert timezone.now() - facts.iot_last_reading_at < timezone.timedelta(minutes=5)
    rows = {
        row["company"]: row for row in staff_api.get("/api/master/dashboard/companies/").json()["results"]
    }
    iot = rows["alpha"]["iot"]
    assert (iot["devices"], iot["readings_today"], iot["errors_today"]) == (1, 3, 1)
    assert staff_api.get("/api/master/dashboard/").json()["iot"]["readings_today"] >= 3
    client = web_client(root_host)
    client.login(email=STAFF_EMAIL, password="Cacao-fino-2026!")
    page = client.get("/admin/").content.decode()
    table = page.split('id="master-iot"')[1].split("</table>")[0]
    row = next(line for line in table.split("<tr>") if "(alpha)" in line)
    assert re.findall(r"<td[^>]*>(\d+)</td>", row)[:3] == ["1", "3", "1"]
