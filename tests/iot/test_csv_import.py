"""Siemens CSV files: POST /api/v1/iot/siemens/csv (and the seed's /iot/siemens/csv), the
Celery task for large files and its resume, and `manage.py import_readings`."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from iot import csv_import
from iot.models import ImportStatus, Reading, ReadingImport
from iot.services import device_update
from iot.tasks import reading_import_run

LATIN1 = (
    "Fecha;Hora;Peso neto (kg);HUMEDAD (%);Temperatura (°C);Código lote\r\n"
    "30.11.2026;08:15:00;1.234,5;7,2;25,1;{lot}\r\n"
    "30.11.2026;08:16:30;980,25;6,9;;\r\n"
)
UTF8 = (
    "\ufeffTimestamp,Weight,Moisture,Message ID\n"
    "2026-11-30 08:15:00,1500.5,7.1,A-1\n"
    '"2026-11-30T08:16:00-05:00",1600,7.3,A-2\n'
)
WITH_BAD_ROWS = (
    "Fecha;Hora;Peso;Humedad\n"
    "30.11.2026;08:00:00;100,5;7,0\n"
    "\n"
    "30.11.2026;08:01:00;abc;7,0\n"
    "31.02.2026;08:02:00;100;7\n"
    "30.11.2026;08:03:00;100;120\n"
    ";;;\n"
    "30.11.2026;08:04:00;200;7,1\n"
)


@pytest.fixture(autouse=True)
def _in_english():
    """Reports are checked in English (the request's language, and the task's and command's)."""
    with translation.override("en"):
        yield


def upload(client, content: bytes, path="/api/v1/iot/siemens/csv", **fields):
    file = SimpleUploadedFile("bascula.csv", content, "text/csv")
    return client.post(path, {"file": file, **fields}, format="multipart", HTTP_ACCEPT_LANGUAGE="en")


def readings_of(scale):
    with tenant_context(scale.world.company):
        return list(Reading.objects.filter(device=scale.device).order_by("measured_at"))


def rows(count: int, start: int = 0) -> str:
    return "".join(f"30.11.2026;08:{n // 60:02d}:{n % 60:02d};{100 + n},5;7,1\n" for n in range(start, count))


def test_a_latin1_semicolon_file_with_decimal_commas_is_imported_at_once(scale_a):
    lot = scale_a.world.lots["center"]
    response = upload(scale_a.client(), LATIN1.format(lot=lot.code).encode("latin-1"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["added"], body["duplicates"], body["rejected"]) == ("done", 2, 0, 0)
    first, second = readings_of(scale_a)
    assert (first.net_kg, first.moisture_percent, first.temperature_c) == (
        Decimal("1234.50"),
        Decimal("7.20"),
        Decimal("25.10"),
    )
    assert first.lot_id == lot.pk and first.origin == "csv" and first.raw["Código lote"] == lot.code
    assert timezone.localtime(first.measured_at).isoformat() == "2026-11-30T08:15:00-05:00"
    assert second.net_kg == Decimal("980.25") and second.lot_id is None and second.temperature_c is None


def test_a_comma_separated_utf8_file_and_the_same_file_again_is_all_duplicates(scale_a):
    first = upload(scale_a.client(), UTF8.encode(), path="/iot/siemens/csv")
    assert first.status_code == 201 and first.json()["added"] == 2, first.content
    assert [r.key for r in readings_of(scale_a)] == ["m:A-1", "m:A-2"]
    again = upload(scale_a.client(), UTF8.encode()).json()
    assert (again["added"], again["duplicates"], again["rejected"]) == (0, 2, 0)
    assert len(readings_of(scale_a)) == 2


def test_a_file_of_many_rows_is_stored_in_batches_with_odd_characters_intact(scale_a):
    lines = [
        f'M-{n};30.11.2026;{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d};{n + 1},5;"7,1"'
        for n in range(600)
    ]
    lines[7] = 'tab\tand\\slash;30.11.2026;10:00:00;12345,5;"7,1"'
    content = ("Message id;Datum;Zeit;Gewicht;Feuchte\n" + "\n".join(lines) + "\n").encode("latin-1")
    body = upload(scale_a.client(), content).json()
    assert (body["status"], body["added"], body["rejected"]) == ("done", 600, 0), body
    with tenant_context(scale_a.world.company):
        odd = Reading.objects.get(device=scale_a.device, net_kg=Decimal("12345.50"))
        assert (
            odd.key == "m:tab\tand\\slash"
            and odd.raw["Message id"] == "tab\tand\\slash"
            and odd.raw["line"] == 9
        )


def test_bad_rows_are_rejected_with_their_line_and_reason_and_good_rows_kept(scale_a):
    body = upload(scale_a.client(), WITH_BAD_ROWS.encode()).json()
    assert (body["status"], body["added"], body["rejected"]) == ("done", 2, 3)
    assert [(r["line"], list(r["errors"])) for r in body["rejections"]] == [
        (4, ["net_kg"]),
        (5, ["measured_at"]),
        (6, ["moisture_percent"]),
    ]
    assert "abc" in body["rejections"][0]["errors"]["net_kg"]
    assert [r.net_kg for r in readings_of(scale_a)] == [Decimal("100.50"), Decimal("200.00")]


def test_a_header_without_the_needed_columns_fails_until_the_device_maps_them(scale_a):
    content = "Día de pesaje;Hora;Kilos\n30.11.2026;08:00:00;250,5\n".encode()
    response = upload(scale_a.client(), content)
    failed = response.json()
    assert response.status_code == 400 and failed["detail"] == failed["message"]
    assert failed["status"] == "failed" and failed["added"] == 0
    assert "weight or moisture" in failed["message"] and "'Kilos'" in failed["message"]
    assert "date and time" in failed["message"]
    with tenant_context(scale_a.world.company):
        device_update(device=scale_a.device, csv_columns={"date": "dia de pesaje", "weight": "KILOS"})
    connection.set_schema_to_public()
    done = upload(scale_a.client(), content).json()
    assert (done["status"], done["added"]) == ("done", 1)
    assert readings_of(scale_a)[0].net_kg == Decimal("250.50")


def test_a_file_over_the_size_limit_is_refused_with_413_and_nothing_stored(scale_a, settings):
    settings.IOT_CSV_MAX_MB = 1
    with tenant_context(scale_a.world.company):
        imports = default_storage.listdir("iot/imports")[1] if default_storage.exists("iot/imports") else []
    connection.set_schema_to_public()
    response = upload(scale_a.client(), b"Fecha;Hora;Peso\n" + b"x" * (1024 * 1024))
    assert response.status_code == 413 and "1 MB" in response.json()["detail"]
    empty = upload(scale_a.client(), b"")
    assert empty.status_code == 400 and "file" in empty.json()
    with tenant_context(scale_a.world.company):
        assert not ReadingImport.objects.exists()
        after = default_storage.listdir("iot/imports")[1] if default_storage.exists("iot/imports") else []
        assert sorted(after) == sorted(imports)


def stored_files(scale) -> set:
    folder = Path(settings.MEDIA_ROOT) / scale.world.company.schema_name / "iot" / "imports"
    return set(folder.glob("*"))


def test_a_large_file_is_imported_by_the_task_batch_by_batch(
    scale_a, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.IOT_CSV_INLINE_KB = 0
    monkeypatch.setattr(csv_import, "BATCH_ROWS", 2)
    content = ("Fecha;Hora;Peso;Humedad\n" + rows(5) + "30.11.2026;09:00:00;-1;7\n").encode()
    before = stored_files(scale_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(scale_a.client(), content)
        assert response.status_code == 202 and response.json()["status"] == "queued"
    with tenant_context(scale_a.world.company):
        reading_import = ReadingImport.objects.get(pk=response.json()["id"])
        assert reading_import.status == ImportStatus.DONE
        assert (reading_import.added, reading_import.rejected, reading_import.lines_done) == (5, 1, 7)
        assert reading_import.bytes_done == len(content) and reading_import.progress_percent == 100
        assert reading_import.rejections == [
            {"line": 7, "errors": {"net_kg": "The weight must be more than 0 kg."}}
        ]
        assert reading_import.file == ""  # done: the stored file is removed, the rows keep their cells
    assert stored_files(scale_a) == before


def test_a_run_killed_mid_file_resumes_from_its_last_committed_batch(scale_a, monkeypatch):
    monkeypatch.setattr(csv_import, "BATCH_ROWS", 2)
    content = ("Fecha;Hora;Peso;Humedad\n" + rows(5)).encode()
    real_store, calls = csv_import.readings_store, []

    def dies_at_the_second_batch(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit("worker killed")
        return real_store(**kwargs)

    with tenant_context(scale_a.world.company):
        name = default_storage.save("iot/imports/resume.csv", ContentFile(content))
        reading_import = ReadingImport.objects.create(
            device=scale_a.device, file=name, original_name="resume.csv", size_bytes=len(content)
        )
        monkeypatch.setattr(csv_import, "readings_store", dies_at_the_second_batch)
        with pytest.raises(SystemExit):
            csv_import.import_run(reading_import)
        reading_import.refresh_from_db()
        assert (reading_import.status, reading_import.lines_done, reading_import.added) == ("running", 3, 2)
        monkeypatch.setattr(csv_import, "readings_store", real_store)
        reading_import_run(reading_import.pk)  # the message handed out again
        reading_import.refresh_from_db()
        assert (reading_import.status, reading_import.added, reading_import.duplicates) == ("done", 5, 0)
        assert Reading.objects.filter(device=scale_a.device).count() == 5


def test_a_run_that_recorded_only_lines_skips_them(scale_a):
    content = ("Fecha;Hora;Peso;Humedad\n" + rows(4)).encode()
    with tenant_context(scale_a.world.company):
        name = default_storage.save("iot/imports/lines.csv", ContentFile(content))
        reading_import = ReadingImport.objects.create(
            device=scale_a.device,
            file=name,
            original_name="lines.csv",
            size_bytes=len(content),
            status=ImportStatus.RUNNING,
            lines_done=3,
            added=2,
        )
        csv_import.import_run(reading_import)
        assert (reading_import.status, reading_import.added, reading_import.lines_done) == ("done", 4, 5)
        assert Reading.objects.filter(device=scale_a.device).count() == 2  # lines 4 and 5 only


def test_the_command_imports_a_file_and_prints_the_report(scale_a, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(WITH_BAD_ROWS.encode("latin-1"))
    out = StringIO()
    call_command("import_readings", str(path), device=scale_a.device.pk, company="alpha", stdout=out)
    assert "2 added, 0 duplicates, 3 rejected" in out.getvalue() and "line 4: net_kg" in out.getvalue()
    assert len(readings_of(scale_a)) == 2
    for options, message in [
        ({"device": scale_a.device.pk, "company": "nobody"}, "nobody"),
        ({"device": 999_999, "company": "alpha"}, "999999"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("import_readings", str(path), **options)
    with pytest.raises(CommandError, match="missing.csv"):
        call_command(
            "import_readings", str(tmp_path / "missing.csv"), device=scale_a.device.pk, company="alpha"
        )


def test_a_user_of_company_b_cannot_upload_for_a_device_of_company_a(scale_a, erp_b):
    response = upload(erp_b.client("admin"), UTF8.encode(), device=scale_a.device.pk)
    assert response.status_code == 400 and "no active device" in response.json()["device"][0]
    assert readings_of(scale_a) == []


def test_a_user_uploads_for_a_device_it_names(scale_a):
    admin = scale_a.world.users["admin"]
    response = upload(scale_a.world.client("admin"), UTF8.encode(), device=scale_a.device.pk)
    assert response.status_code == 201 and response.json()["added"] == 2, response.content
    with tenant_context(scale_a.world.company):
        assert ReadingImport.objects.get(pk=response.json()["id"]).created_by == admin
    missing = upload(scale_a.world.client("admin"), UTF8.encode())
    assert missing.status_code == 400 and "device" in missing.json()
