"""Devices through /api/v1/iot/devices/: registered by the company admin with a key shown
once, the license's device limit, keys rotated and revoked, deactivation, tenant isolation,
and the license's iot module."""

from django_tenants.utils import tenant_context

from iot.models import Device
from master.licensing.models import Module
from triboka.audit.models import AuditAction, AuditEvent

from .conftest import make_scale


def _license(company, **changes):
    license = company.licenses.get()
    for field, value in changes.items():
        setattr(license, field, value)
    license.save()


def _register(world, **fields):
    body = {"name": "Báscula camionera", "kind": "scale", "serial_number": "SW-77", **fields}
    return world.client("admin").post("/api/v1/iot/devices/", body, format="json")


def _post_reading(world, key, **headers):
    from rest_framework.test import APIClient

    client = APIClient(HTTP_HOST=world.host)
    client.credentials(HTTP_AUTHORIZATION=f"Device {key}")
    return client.post("/api/v1/iot/readings/", {"net_kg": "10"}, format="json", **headers)


def test_the_admin_registers_a_device_and_sees_its_key_once(erp_a):
    response = _register(erp_a, location=erp_a.partners["center"].pk, capacity_kg="60000")
    assert response.status_code == 201, response.content
    body = response.json()
    key = body["key"]
    assert body["has_key"] and body["location_name"] == erp_a.partners["center"].name
    assert _post_reading(erp_a, key).status_code == 201
    listed = erp_a.client("admin").get("/api/v1/iot/devices/").json()["results"]
    assert listed[0]["readings_today"] == 1 and listed[0]["errors_today"] == 0
    assert all("key" not in device and "key_hash" not in device for device in listed)
    with tenant_context(erp_a.company):
        stored = Device.objects.get(pk=body["id"])
        assert key.split(".")[1] not in stored.key_hash  # only a hash is kept
        assert AuditEvent.objects.filter(
            action=AuditAction.DEVICE_REGISTERED, object_id=str(stored.pk)
        ).exists()


def test_bad_device_fields_answer_400_on_the_field(erp_a):
    assert _register(erp_a).status_code == 201
    duplicate = _register(erp_a)
    assert duplicate.status_code == 400 and "serial_number" in duplicate.json()
    not_a_center = _register(erp_a, serial_number="SW-78", location=erp_a.partners["supplier"].pk)
    assert not_a_center.status_code == 400 and "location" in not_a_center.json()
    bad_factor = _register(erp_a, serial_number="SW-79", calibration_factor="3")
    assert bad_factor.status_code == 400 and "calibration_factor" in bad_factor.json()


def test_the_license_device_limit_is_enforced_on_register_and_reactivation(erp_a, erp_b):
    _license(erp_a.company, max_iot_devices=1)
    first = _register(erp_a)
    assert first.status_code == 201
    refused = _register(erp_a, serial_number="SW-78")
    assert refused.status_code == 400, refused.content
    assert "permite 1 dispositivos IoT activos" in refused.json()["name"][0]  # the admin's Spanish
    admin = erp_a.client("admin")
    device_id = first.json()["id"]
    assert admin.post(f"/api/v1/iot/devices/{device_id}/deactivate/").status_code == 200
    second = _register(erp_a, serial_number="SW-78")
    assert second.status_code == 201  # the inactive one does not count
    back = admin.post(f"/api/v1/iot/devices/{device_id}/activate/")
    assert back.status_code == 400 and "is_active" in back.json()
    assert _register(erp_b).status_code == 201  # company B's license is its own


def test_rotating_a_key_stops_the_old_one_and_revoking_stops_all(scale_a):
    world, old_key = scale_a.world, scale_a.key
    admin = world.client("admin")
    new_key = admin.post(f"/api/v1/iot/devices/{scale_a.device.pk}/rotate-key/").json()["key"]
    assert _post_reading(world, old_key).status_code == 401
    assert _post_reading(world, new_key).status_code == 201
    assert admin.post(f"/api/v1/iot/devices/{scale_a.device.pk}/revoke-key/").status_code == 204
    assert _post_reading(world, new_key).status_code == 401
    with tenant_context(world.company):
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {AuditAction.DEVICE_KEY_ROTATED, AuditAction.DEVICE_KEY_REVOKED} <= actions


def test_a_deactivated_device_cannot_send_and_keeps_its_readings(scale_a):
    assert scale_a.client().post("/api/v1/iot/readings/", {"net_kg": "5"}, format="json").status_code == 201
    admin = scale_a.world.client("admin")
    assert admin.post(f"/api/v1/iot/devices/{scale_a.device.pk}/deactivate/").status_code == 200
    assert scale_a.client().post("/api/v1/iot/readings/", {"net_kg": "6"}, format="json").status_code == 401
    assert admin.get(f"/api/v1/iot/readings/?device={scale_a.device.pk}").json()["count"] == 1


def test_company_b_cannot_see_or_touch_company_a_devices_and_readings(scale_a, erp_b):
    scale_a.client().post("/api/v1/iot/readings/", {"net_kg": "5"}, format="json")
    with tenant_context(scale_a.world.company):
        reading_id = scale_a.device.readings.get().pk
    b_admin = erp_b.client("admin")
    assert b_admin.get("/api/v1/iot/devices/").json()["count"] == 0
    assert b_admin.get("/api/v1/iot/readings/").json()["count"] == 0
    device_url = f"/api/v1/iot/devices/{scale_a.device.pk}/"
    assert b_admin.get(device_url).status_code == 404
    assert b_admin.patch(device_url, {"name": "x"}, format="json").status_code == 404
    assert b_admin.post(f"{device_url}rotate-key/").status_code == 404
    assert b_admin.get(f"/api/v1/iot/readings/{reading_id}/").status_code == 404
    # A's user token on B's site is refused before anything else
    a_admin_on_b = scale_a.world.client("admin")
    a_admin_on_b.defaults["HTTP_HOST"] = erp_b.host
    assert a_admin_on_b.get("/api/v1/iot/devices/").status_code == 401


def test_a_center_assigns_a_reading_to_its_own_lot_only(scale_a):
    world = scale_a.world
    reading = scale_a.client().post("/api/v1/iot/readings/", {"net_kg": "2222"}, format="json").json()
    center = world.client("center")
    refused = center.post(
        f"/api/v1/iot/readings/{reading['id']}/assign/", {"lot": world.lots["supplier"].code}, format="json"
    )
    assert refused.status_code == 400 and "lot" in refused.json()
    done = center.post(
        f"/api/v1/iot/readings/{reading['id']}/assign/", {"lot": world.lots["center"].code}, format="json"
    )
    assert done.status_code == 200 and done.json()["lot_code"] == world.lots["center"].code
    with tenant_context(world.company):
        lot = world.lots["center"]
        lot.refresh_from_db()
        assert str(lot.weight_kg) == "2222.00"


def test_without_the_iot_module_devices_and_readings_answer_403(scale_a):
    _license(scale_a.world.company, modules=[m for m in Module.values if m != Module.IOT])
    refused = scale_a.world.client("admin").get("/api/v1/iot/devices/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403 and "IoT devices" in refused.json()["detail"]
    reading = scale_a.client().post("/api/v1/iot/readings/", {"net_kg": "5"}, format="json")
    assert reading.status_code == 403 and reading.json()["code"] == "module_not_licensed"
    assert scale_a.client().post("/iot/pesaje", {"peso": "5"}, format="json").status_code == 403


def test_an_api_only_license_still_takes_the_seed_aliases(scale_a):
    _license(scale_a.world.company, type="api")
    assert scale_a.client().post("/iot/pesaje", {"peso": "5"}, format="json").status_code == 201


def test_a_second_scale_of_another_center_cannot_feed_the_first_centers_lots(erp_a):
    from erp.partners.services import partner_create

    with tenant_context(erp_a.company):
        other = partner_create(name="Otro Centro", kind="center", tax_id="1790016919001")
    scale = make_scale(erp_a, name="Báscula 2", serial="SN-2", location=other)
    response = scale.client().post(
        "/api/v1/iot/readings/", {"net_kg": "5", "lot": erp_a.lots["center"].code}, format="json"
    )
    assert response.status_code == 400 and "lot" in response.json()


def test_a_bad_serial_pattern_or_column_map_is_refused_on_the_field(erp_a):
    bad_pattern = _register(erp_a, serial_pattern="(?P<peso>[0-9")
    assert bad_pattern.status_code == 400 and "serial_pattern" in bad_pattern.json()
    bad_map = _register(erp_a, serial_number="SW-80", csv_columns={"weight": 3})
    assert bad_map.status_code == 400 and "csv_columns" in bad_map.json()


def test_the_commands_refuse_a_company_whose_license_lacks_the_iot_module(scale_a, tmp_path):
    import pytest
    from django.core.management import CommandError, call_command

    _license(scale_a.world.company, modules=[m for m in Module.values if m != Module.IOT])
    csv = tmp_path / "bascula.csv"
    csv.write_text("Fecha;Hora;Peso\n30.11.2026;08:00:00;100\n")
    company = scale_a.world.company.slug
    with pytest.raises(CommandError, match="IoT"):
        call_command("import_readings", str(csv), "--company", company, "--device", str(scale_a.device.pk))
    with pytest.raises(CommandError, match="IoT"):
        call_command(
            "read_serial", "--company", company, "--device", str(scale_a.device.pk), "--port", "loop://"
        )
    with pytest.raises(CommandError, match="subdominio"):
        call_command("import_readings", str(csv), "--company", "no-such", "--device", "1")
