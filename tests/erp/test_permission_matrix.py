"""Every cell of docs/permissions.md, checked with real requests and tokens.

The table is the specification: each row is an endpoint, each column a role, each cell the
status that role must get. Requests that write need a body; BODIES gives one per row.
"""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context

from erp.contracts.services import contract_delete
from erp.demo import minimal_pdf
from erp.documents.services import document_delete, document_upload
from erp.lots.services import lot_delete
from erp.market.services import demand_create, demand_delete, fob_price_create
from erp.partners.services import partner_create, partner_delete
from tests.erp.eudr import matrix as eudr_matrix
from tests.erp.export import matrix as export_matrix
from tests.erp.finance import matrix as finance_matrix
from tests.erp.inventory import matrix as inventory_matrix
from tests.erp.ledger import matrix as ledger_matrix
from tests.erp.processing import matrix as processing_matrix
from tests.erp.quality import matrix as quality_matrix
from tests.erp.reception import matrix as reception_matrix

DOCS = Path(__file__).resolve().parents[2] / "docs"
# The main table, then one file per operations module (docs/permissions/<module>.md).
DOC_FILES = [DOCS / "permissions.md", *sorted((DOCS / "permissions").glob("*.md"))]
MODULE_MATRICES = [
    reception_matrix,
    quality_matrix,
    processing_matrix,
    inventory_matrix,
    ledger_matrix,
    eudr_matrix,
    export_matrix,
    finance_matrix,
]
ROLES = ["admin", "exporter", "center", "supplier"]
ROW = re.compile(r"^\| `(GET|POST|PATCH|PUT|DELETE) (\S+)` \| (\d{3}) \| (\d{3}) \| (\d{3}) \| (\d{3}) \|$")


def matrix_rows() -> list[tuple[str, str, dict[str, int]]]:
    rows = []
    for line in "\n".join(doc.read_text() for doc in DOC_FILES).splitlines():
        match = ROW.match(line.strip())
        if match:
            method, path, *codes = match.groups()
            rows.append((method, path, dict(zip(ROLES, map(int, codes), strict=True))))
    return rows


CELLS = [
    pytest.param(method, path, role, expected, id=f"{method} {path} as {role}")
    for method, path, codes in matrix_rows()
    for role, expected in codes.items()
]


def deleted_partner(world):
    partner = partner_create(name="Old partner", kind="buyer")
    partner_delete(partner=partner)
    return partner


def deleted_contract(world):
    contract = world.contracts["supplier"]
    contract_delete(contract=contract)
    return contract


def deleted_lot(world):
    lot = world.lots["supplier2"]
    lot_delete(lot=lot, user=world.users["admin"])
    return lot


def center_document(world):
    return document_upload(
        contract=world.contracts["center"],
        kind="invoice",
        user=world.users["admin"],
        uploaded_file=pdf_file(),
    )


def deleted_document(world):
    document = center_document(world)
    document_delete(document=document)
    return document


def demand(world, *, open_today: bool):
    today = timezone.localdate()
    valid_to = today + timedelta(days=30) if open_today else today - timedelta(days=1)
    return demand_create(
        user=world.users["admin"],
        month=today.replace(day=1),
        tm_wanted=Decimal("80"),
        contract_type="fixed",
        valid_from=today - timedelta(days=60),
        valid_to=valid_to,
    )


def deleted_demand(world):
    entry = demand(world, open_today=True)
    demand_delete(demand=entry)
    return entry


def latest_fob(world):
    return fob_price_create(year=2026, month=10, usd_per_tm=Decimal("6480.15"), source="BCE")


def center_chat(world):
    from erp.chat.models import ChatRoom

    return ChatRoom.objects.get_or_create(contract=world.contracts["center"])[0]


def device(world, name: str):
    from iot.services import device_register, device_set_active

    location = world.partners["center"] if name in ("center", "inactive") else None
    registered, _key = device_register(
        user=world.users["admin"], name=f"Báscula {name}", serial_number=f"SN-{name}", location=location
    )
    if name == "inactive":
        device_set_active(device=registered, active=False)
    return registered


def reading(world, name: str):
    from iot.models import Reading
    from iot.services import readings_ingest

    scale = device(world, "center" if name == "center" else "office")
    lot = world.lots[name]
    report = readings_ingest(device=scale, items=[{"net_kg": "1200", "lot": lot.code}], origin="rest")
    return Reading.objects.get(pk=report.reading_ids[0])


def center_import(world):
    from iot.models import ReadingImport

    return ReadingImport.objects.create(device=device(world, "center"), original_name="bascula.csv")


def csv_file():
    content = "Fecha;Hora;Peso neto;Humedad\n30.11.2026;08:00:00;1234,5;7,1\n".encode("latin-1")
    return SimpleUploadedFile("bascula.csv", content, content_type="text/csv")


PREPARE = {
    "device:center": lambda world: device(world, "center"),
    "device:office": lambda world: device(world, "office"),
    "device:inactive": lambda world: device(world, "inactive"),
    "reading:center": lambda world: reading(world, "center"),
    "reading:supplier": lambda world: reading(world, "supplier"),
    "import:center": center_import,
    "chat:center": center_chat,
    "partner:deleted": deleted_partner,
    "contract:deleted": deleted_contract,
    "lot:deleted": deleted_lot,
    "document:center": center_document,
    "document:deleted": deleted_document,
    "demand:open": lambda world: demand(world, open_today=True),
    "demand:closed": lambda world: demand(world, open_today=False),
    "demand:deleted": deleted_demand,
    "fob:latest": latest_fob,
}
for _matrix in MODULE_MATRICES:
    PREPARE.update(_matrix.PREPARE)


# Rows whose path names no object but that need one to exist.
SETUP_FOR_ROW = {("GET", "/api/v1/fob-prices/latest/"): latest_fob}


def pdf_file():
    return SimpleUploadedFile(
        "factura.pdf", minimal_pdf("Factura 001-001-000123"), content_type="application/pdf"
    )


def resolve(path: str, world) -> str:
    """`{contract:center}` -> the id of that fixture object."""

    def object_id(match):
        kind, name = match.group(1).split(":")
        if f"{kind}:{name}" in PREPARE:
            with tenant_context(world.company):
                return str(PREPARE[f"{kind}:{name}"](world).pk)
        collection = {
            "partner": world.partners,
            "contract": world.contracts,
            "lot": world.lots,
            "user": world.users,
        }[kind]
        return str(collection[name].pk)

    return re.sub(r"\{([a-z_]+:[a-z0-9_]+)\}", object_id, path)


def body(method: str, path: str, world) -> dict | None:
    p = world.partners
    bodies = {
        ("POST", "/api/v1/partners/"): {"name": "Nueva Finca", "kind": "supplier", "tax_id": "1700000001"},
        ("PATCH", "/api/v1/partners/{partner:supplier}/"): {"phone": "0991234567"},
        ("POST", "/api/v1/users/"): {
            "email": "new@company.test",
            "role": "supplier",
            "partner": p["supplier2"].pk,
        },
        ("PATCH", "/api/v1/users/{user:center}/"): {"full_name": "Renamed"},
        ("POST", "/api/v1/contracts/"): {
            "exporter": p["exporter"].pk,
            "counterparty": p["supplier2"].pk,
            "volume_tm": "5",
            "price_type": "fixed",
            "price_usd_per_tm": "6100",
            "delivery_from": "2026-02-01",
            "delivery_to": "2026-08-31",
        },
        ("PATCH", "/api/v1/contracts/{contract:supplier}/"): {"notes": "Revisado"},
        ("POST", "/api/v1/contracts/{contract:supplier}/transition/"): {"status": "active"},
        ("POST", "/api/v1/contracts/{contract:center}/lots/"): {"lot": world.lots["center"].pk},
        ("POST", "/api/v1/lots/"): {"owner": p["center"].pk, "weight_qq": "12.5", "humidity_percent": "7"},
        ("PATCH", "/api/v1/lots/{lot:center}/"): {"status": "dispatched"},
        ("PATCH", "/api/v1/lots/{lot:supplier}/"): {"humidity_percent": "8"},
        ("PUT", "/api/v1/partners/{partner:supplier}/"): {
            "name": "A Finca Uno",
            "kind": "supplier",
            "tax_id": world.partners["supplier"].tax_id,
        },
        ("PUT", "/api/v1/contracts/{contract:supplier}/"): {
            "exporter": p["exporter"].pk,
            "counterparty": p["supplier"].pk,
            "volume_tm": "3",
            "price_type": "differential",
            "differential_usd_per_tm": "250",
            "delivery_from": "2026-01-01",
            "delivery_to": "2026-06-30",
        },
        ("PUT", "/api/v1/lots/{lot:center}/"): {
            "owner": p["center"].pk,
            "weight_qq": "100",
            "status": "stored",
        },
        ("POST", "/api/v1/contracts/{contract:center}/documents/"): {"kind": "invoice", "file": pdf_file()},
        ("POST", "/api/v1/calculator/"): {"spot": "6319", "differentials": ["200", "300"]},
        ("POST", "/api/v1/demand/"): {
            "month": "2026-11-01",
            "tm_wanted": "100",
            "contract_type": "fixed",
            "valid_from": "2026-11-01",
            "valid_to": "2026-11-30",
        },
        ("PATCH", "/api/v1/demand/{demand:open}/"): {"notes": "Prioridad CCN-51"},
        ("POST", "/api/v1/fob-prices/"): {
            "year": 2026,
            "month": 11,
            "usd_per_tm": "6400.00",
            "source": "BCE",
        },
        ("PATCH", "/api/v1/fob-prices/{fob:latest}/"): {"usd_per_tm": "6500.00"},
        ("POST", "/api/v1/chats/{chat:center}/messages/"): {"text": "¿Cuándo llega el lote?"},
        ("POST", "/api/v1/chats/{chat:center}/read/"): {"up_to": 1},
        ("POST", "/api/v1/iot/devices/"): {
            "name": "Higrómetro",
            "kind": "moisture_meter",
            "serial_number": "H-1",
        },
        ("PATCH", "/api/v1/iot/devices/{device:center}/"): {"capacity_kg": "30000"},
        ("POST", "/api/v1/iot/devices/{device:center}/deactivate/"): {},
        ("POST", "/api/v1/iot/devices/{device:inactive}/activate/"): {},
        ("POST", "/api/v1/iot/devices/{device:center}/rotate-key/"): {},
        ("POST", "/api/v1/iot/devices/{device:center}/revoke-key/"): {},
        ("POST", "/api/v1/iot/readings/{reading:center}/assign/"): {"lot": world.lots["center"].code},
        ("POST", "/api/v1/iot/readings/"): {"net_kg": "100"},
        ("POST", "/api/v1/iot/siemens/csv"): {"file": csv_file(), "device": "{device:center}"},
        ("POST", "/api/support/knowledge"): {"title": "Cómo", "body": "Texto", "language": "es"},
    }
    for matrix in MODULE_MATRICES:
        bodies.update(matrix.bodies(world))
    return bodies.get((method, path))


def test_the_matrix_is_not_empty():
    assert len(matrix_rows()) >= 25


def test_every_writing_row_has_a_body(erp_a):
    for method, path, _codes in matrix_rows():
        if method in ("POST", "PATCH", "PUT") and not path.endswith("/restore/"):
            assert body(method, path, erp_a) is not None, f"no body for {method} {path}"


@pytest.mark.parametrize(("method", "path", "role", "expected"), CELLS)
def test_matrix_cell(erp_a, method, path, role, expected):
    if (method, path) in SETUP_FOR_ROW:
        with tenant_context(erp_a.company):
            SETUP_FOR_ROW[(method, path)](erp_a)
    url = resolve(path, erp_a)
    data = body(method, path, erp_a)
    if data:  # a body may name a fixture object too: {"device": "{device:center}"}
        data = {
            key: resolve(value, erp_a) if isinstance(value, str) else value for key, value in data.items()
        }
    as_form = data is not None and any(hasattr(value, "read") for value in data.values())
    response = getattr(erp_a.client(role), method.lower())(
        url, data, format="multipart" if as_form else "json"
    )
    assert response.status_code == expected, response.content[:300]
