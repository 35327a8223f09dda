"""Documents: checked uploads, signed expiring download links, visibility, soft deletion."""

import hashlib
import io
import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context, tenant_context
from PIL import Image
from rest_framework.test import APIClient

from erp.documents import services
from erp.documents.models import Document, DocumentAccess

PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \n"
    b"trailer << /Size 4 /Root 1 0 R >>\nstartxref\n188\n%%EOF\n"
)
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run"
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
HTML = b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1), (120, 60, 20)).save(buffer, "PNG")
    return buffer.getvalue()


def upload(client, contract, content: bytes, filename: str = "contract.pdf", kind: str = "contract"):
    """A multipart POST written by hand: the test client would strip the filename's
    directories and pick the part's Content-Type itself; here the client claims a PDF."""
    boundary = "TribokaTestBoundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{kind}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    )
    body = head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return client.post(
        f"/api/v1/contracts/{contract.pk}/documents/",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def make_document(
    world, contract_key: str, *, kind: str = "contract", content: bytes = PDF, name: str = "contract.pdf"
) -> Document:
    with tenant_context(world.company):
        return services.document_upload(
            contract=world.contracts[contract_key],
            kind=kind,
            uploaded_file=SimpleUploadedFile(name, content),
            user=world.users["admin"],
        )


def media_root(world) -> Path:
    return Path(settings.MEDIA_ROOT) / world.company.schema_name


def stored_files() -> set[Path]:
    return {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}


def document_count(world) -> int:
    with tenant_context(world.company):
        return Document.all_objects.count()


def file_link(client, document) -> str:
    response = client.get(f"/api/v1/documents/{document.pk}/download/")
    assert response.status_code == 302, response.content
    return response["Location"]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


# Uploads -----------------------------------------------------------------------------------


def test_center_uploads_a_pdf_to_its_contract(erp_a):
    contract = erp_a.contracts["center"]

    response = upload(erp_a.client("center"), contract, PDF, kind="invoice")

    assert response.status_code == 201, response.content
    body = response.json()
    sha256 = hashlib.sha256(PDF).hexdigest()
    assert body["original_name"] == "contract.pdf"
    assert body["content_type"] == "application/pdf"
    assert body["kind"] == "invoice"
    assert body["size"] == len(PDF)
    assert body["sha256"] == sha256
    assert body["uploaded_by"] == "center@alpha.test"
    with tenant_context(erp_a.company):
        document = Document.objects.get(pk=body["id"])
        access = DocumentAccess.objects.get(document=document)
    assert re.fullmatch(rf"documents/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}-{sha256}\.pdf", document.file.name)
    assert (media_root(erp_a) / document.file.name).read_bytes() == PDF
    assert (access.action, access.user) == ("upload", erp_a.users["center"])


def test_the_type_comes_from_the_content_not_the_name(erp_a):
    response = upload(erp_a.client("exporter"), erp_a.contracts["center"], png_bytes(), filename="scan.pdf")

    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "image/png"
    with tenant_context(erp_a.company):
        assert Document.objects.get(pk=response.json()["id"]).file.name.endswith(".png")


@pytest.mark.parametrize(
    ("content", "filename", "named"),
    [
        (EXE, "contract.pdf", "exe"),
        (ELF, "contract.pdf", "elf"),
        (HTML, "report.pdf", "HTML"),
        (b"just some notes\n", "notes.pdf", "plain text"),
        (b"", "empty.pdf", "empty"),
    ],
)
def test_it_refuses_what_is_not_a_pdf_or_image_and_writes_nothing(erp_a, content, filename, named):
    files_before, rows_before = stored_files(), document_count(erp_a)

    client = erp_a.client("admin")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the message names the type; checked in English
    response = upload(client, erp_a.contracts["center"], content, filename=filename)

    assert response.status_code == 400, response.content
    assert named in response.json()["file"][0]
    assert stored_files() == files_before
    assert document_count(erp_a) == rows_before


def test_it_refuses_a_file_over_the_size_limit(erp_a, settings):
    settings.DOCUMENT_MAX_UPLOAD_MB = 1
    files_before = stored_files()
    big = PDF + b"0" * (1024 * 1024 + 100 * 1024)

    response = upload(erp_a.client("admin"), erp_a.contracts["center"], big, filename="big.pdf")

    assert response.status_code == 400, response.content
    assert "1 MB" in response.json()["file"][0]
    assert stored_files() == files_before
    assert document_count(erp_a) == 0


def test_it_refuses_an_unknown_kind_and_a_missing_file(erp_a):
    client = erp_a.client("admin")

    assert "kind" in upload(client, erp_a.contracts["center"], PDF, kind="passport").json()
    missing = client.post(f"/api/v1/contracts/{erp_a.contracts['center'].pk}/documents/", {"kind": "other"})
    assert missing.status_code == 400
    assert "file" in missing.json()
    assert document_count(erp_a) == 0


def test_a_path_in_the_filename_does_not_leave_the_company_folder(erp_a):
    response = upload(erp_a.client("admin"), erp_a.contracts["center"], PDF, filename="../../../evil.pdf")

    assert response.status_code == 201, response.content
    assert response.json()["original_name"] == "evil.pdf"
    with tenant_context(erp_a.company):
        name = Document.objects.get(pk=response.json()["id"]).file.name
    stored = (media_root(erp_a) / name).resolve()
    assert stored.is_relative_to((media_root(erp_a) / "documents").resolve())
    assert "evil" not in name
    assert not list(Path(settings.MEDIA_ROOT).parent.glob("evil*"))


def test_the_service_cleans_windows_paths_and_control_characters(erp_a):
    document = make_document(erp_a, "center", name="..\\..\\Windows\\ev\x00il\u202e\x1b.pdf")

    assert document.original_name == "evil.pdf"


def test_a_failed_database_write_leaves_no_file(erp_a, monkeypatch):
    def fail(**kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(services, "document_access_record", fail)
    files_before = stored_files()

    with pytest.raises(DatabaseError):
        make_document(erp_a, "center")

    assert stored_files() == files_before
    assert document_count(erp_a) == 0


# Downloads ---------------------------------------------------------------------------------


def test_download_redirects_to_a_signed_link_that_serves_the_file(erp_a):
    client = erp_a.client("center")
    document_id = upload(client, erp_a.contracts["center"], PDF, filename="Contrato firmado.pdf").json()["id"]

    response = client.get(f"/api/v1/documents/{document_id}/download/")

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == f"/api/v1/documents/{document_id}/file/"
    assert parse_qs(location.query)["token"]
    followed = APIClient(HTTP_HOST=erp_a.host).get(path_of(response["Location"]))  # no login needed
    assert followed.status_code == 200
    assert streamed(followed) == PDF
    assert followed["Content-Type"] == "application/pdf"
    assert followed["Content-Disposition"] == 'attachment; filename="Contrato firmado.pdf"'
    with tenant_context(erp_a.company):
        actions = list(DocumentAccess.objects.filter(document_id=document_id).values_list("action", "user"))
    assert sorted(actions) == [("download", erp_a.users["center"].pk), ("upload", erp_a.users["center"].pk)]


def test_an_expired_link_is_refused(erp_a, monkeypatch):
    document = make_document(erp_a, "center")
    signed_long_ago = int(time.time()) - settings.DOCUMENT_LINK_SECONDS - 5
    monkeypatch.setattr(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(signed_long_ago)
    )
    link = file_link(erp_a.client("admin"), document)
    monkeypatch.undo()

    response = APIClient(HTTP_HOST=erp_a.host).get(path_of(link))

    assert response.status_code == 403
    assert response.json()["code"] == "link_expired"
    assert "vencido" in response.json()["detail"]  # Spanish by default


def test_a_tampered_or_missing_token_is_refused(erp_a):
    document = make_document(erp_a, "center")
    link = path_of(file_link(erp_a.client("admin"), document))
    anonymous = APIClient(HTTP_HOST=erp_a.host)
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    base = f"/api/v1/documents/{document.pk}/file/"

    for url in (tampered, base, f"{base}?token=", f"{base}?token=%C3%A9%00:x:y"):
        response = anonymous.get(url)
        assert response.status_code == 403, url
        assert response.json()["detail"]


def test_a_link_is_bound_to_its_document(erp_a):
    first, second = make_document(erp_a, "center"), make_document(erp_a, "center", content=png_bytes())
    token = parse_qs(urlsplit(file_link(erp_a.client("admin"), first)).query)["token"][0]

    response = APIClient(HTTP_HOST=erp_a.host).get(f"/api/v1/documents/{second.pk}/file/", {"token": token})

    assert response.status_code == 403
    assert response.json()["code"] == "link_invalid"


def test_it_rejects_a_link_from_another_company(erp_a, erp_b):
    document = make_document(erp_a, "center")
    make_document(erp_b, "center")  # so that the id may exist on B too
    link = path_of(file_link(erp_a.client("admin"), document))

    response = APIClient(HTTP_HOST=erp_b.host).get(link)

    assert response.status_code == 403
    assert response.json()["code"] == "link_invalid"


def test_a_link_to_a_deleted_document_finds_nothing(erp_a):
    document = make_document(erp_a, "center")
    link = path_of(file_link(erp_a.client("admin"), document))
    assert erp_a.client("exporter").delete(f"/api/v1/documents/{document.pk}/").status_code == 204

    assert APIClient(HTTP_HOST=erp_a.host).get(link).status_code == 404


# Visibility and permissions ----------------------------------------------------------------


def test_supplier_cannot_see_the_centers_contract_documents(erp_a):
    document = make_document(erp_a, "center")
    supplier = erp_a.client("supplier")
    contract = erp_a.contracts["center"]

    assert supplier.get(f"/api/v1/contracts/{contract.pk}/documents/").status_code == 404
    assert upload(supplier, contract, PDF).status_code == 404
    assert supplier.get(f"/api/v1/documents/{document.pk}/").status_code == 404
    assert supplier.get(f"/api/v1/documents/{document.pk}/download/").status_code == 404
    assert supplier.get("/api/v1/documents/").json()["count"] == 0
    assert document_count(erp_a) == 1


def test_supplier_never_sees_another_suppliers_documents(erp_a):
    document = make_document(erp_a, "supplier")

    assert erp_a.client("supplier").get(f"/api/v1/documents/{document.pk}/").status_code == 200
    assert erp_a.client("supplier2").get(f"/api/v1/documents/{document.pk}/").status_code == 404
    assert erp_a.client("supplier2").get("/api/v1/documents/").json()["count"] == 0


def test_company_side_sees_every_document_and_partners_their_own(erp_a):
    make_document(erp_a, "center")
    make_document(erp_a, "supplier", kind="invoice")

    for role, expected in [("admin", 2), ("exporter", 2), ("center", 1), ("supplier", 1)]:
        assert erp_a.client(role).get("/api/v1/documents/").json()["count"] == expected, role
    supplier_contract = erp_a.contracts["supplier"].pk
    filtered = erp_a.client("admin").get(
        "/api/v1/documents/", {"contract": supplier_contract, "kind": "invoice"}
    )
    assert [row["contract"] for row in filtered.json()["results"]] == [supplier_contract]
    assert erp_a.client("admin").get("/api/v1/documents/", {"kind": "certificate"}).json()["count"] == 0


def test_a_contracts_list_shows_only_its_documents(erp_a):
    make_document(erp_a, "center", name="a.pdf")
    make_document(erp_a, "supplier", name="b.pdf")

    response = erp_a.client("center").get(f"/api/v1/contracts/{erp_a.contracts['center'].pk}/documents/")

    assert response.status_code == 200
    assert [row["original_name"] for row in response.json()["results"]] == ["a.pdf"]


def test_company_a_document_ids_are_not_found_on_company_b(erp_a, erp_b):
    document = make_document(erp_a, "center")
    admin_b = erp_b.client("admin")

    assert admin_b.get(f"/api/v1/documents/{document.pk + 1000}/").status_code == 404
    with tenant_context(erp_b.company):
        assert not Document.objects.filter(pk=document.pk).exists()
    assert admin_b.get(f"/api/v1/documents/{document.pk}/").status_code == 404
    assert admin_b.get(f"/api/v1/documents/{document.pk}/download/").status_code == 404
    assert admin_b.get(f"/api/v1/contracts/{erp_a.contracts['center'].pk}/documents/").status_code == 404


def test_soft_delete_by_the_company_side_and_restore_by_an_admin(erp_a):
    document = make_document(erp_a, "center")
    url = f"/api/v1/documents/{document.pk}/"

    assert erp_a.client("center").delete(url).status_code == 403
    assert erp_a.client("exporter").delete(url).status_code == 204
    assert erp_a.client("admin").get(url).status_code == 404
    assert erp_a.client("admin").get("/api/v1/documents/").json()["count"] == 0
    assert erp_a.client("exporter").post(f"{url}restore/").status_code == 403
    restored = erp_a.client("admin").post(f"{url}restore/")

    assert restored.status_code == 200
    assert restored.json()["deleted_at"] is None
    assert erp_a.client("center").get(url).status_code == 200
    assert document_count(erp_a) == 1


def erp_queries(captured) -> list[str]:
    """The queries a request makes for the ERP, without the host routing's: its cache is
    shared through Redis, so another test run on the same Redis makes it look up again."""
    routing = ("SET search_path", 'FROM "companies_domain"', 'FROM "licensing_license"')
    return [q["sql"] for q in captured if not any(part in q["sql"] for part in routing)]


@pytest.mark.parametrize("role", ["center", "exporter"])
def test_list_queries_do_not_grow_with_the_documents(erp_a, role):
    client = erp_a.client(role)
    urls = ["/api/v1/documents/", f"/api/v1/contracts/{erp_a.contracts['center'].pk}/documents/"]

    counts, created = [], 0
    for extra in (1, 6):
        for _ in range(extra):
            make_document(erp_a, "center")
        created += extra
        with CaptureQueriesContext(connection) as queries:
            for url in urls:
                assert client.get(url).json()["count"] == created
        counts.append(len(erp_queries(queries.captured_queries)))

    assert counts[0] == counts[1]


# S3 ----------------------------------------------------------------------------------------


S3_OPTIONS = {
    "bucket_name": "triboka-test",
    "access_key": "test-key",
    "secret_key": "test-secret",
    "region_name": "us-east-1",
    "signature_version": "s3v4",
    "endpoint_url": "http://127.0.0.1:9000",
}


def test_s3_keys_follow_the_company_schema(company_a):
    pytest.importorskip("boto3")
    from triboka.storage import TenantS3Storage

    storage, prefixed = TenantS3Storage(**S3_OPTIONS), TenantS3Storage(location="media/", **S3_OPTIONS)

    with schema_context(company_a.schema_name):
        assert storage.location == company_a.schema_name
        assert storage._normalize_name("documents/a.pdf") == f"{company_a.schema_name}/documents/a.pdf"
        assert prefixed.location == f"media/{company_a.schema_name}"
    assert storage.location == "public"


def test_download_on_s3_redirects_to_a_presigned_url(erp_a, settings):
    pytest.importorskip("boto3")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "triboka.storage.TenantS3Storage", "OPTIONS": S3_OPTIONS},
    }
    with tenant_context(erp_a.company):  # no file written: presigning is local
        document = Document.objects.create(
            contract=erp_a.contracts["center"],
            kind="contract",
            file="documents/2026/01/abc-def.pdf",
            original_name="contrato.pdf",
            content_type="application/pdf",
            size=10,
            sha256="def",
        )

    location = urlsplit(file_link(erp_a.client("admin"), document))

    assert f"{location.scheme}://{location.netloc}" == S3_OPTIONS["endpoint_url"]
    assert location.path == f"/triboka-test/{erp_a.company.schema_name}/documents/2026/01/abc-def.pdf"
    query = parse_qs(location.query)
    assert query["X-Amz-Expires"] == [str(settings.DOCUMENT_LINK_SECONDS)]
    assert "contrato.pdf" in query["response-content-disposition"][0]
