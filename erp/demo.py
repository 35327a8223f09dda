"""Realistic demo data for a company's ERP (`make run`'s demo companies).

Partners of every kind, a user of every role, contracts in each status, lots with
timelines, documents (small real PDFs made here), demand and FOB prices. Idempotent: a
company that already has partners is left as it is.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from erp.contracts.services import contract_assign_lot, contract_create, contract_transition
from erp.documents.services import document_upload
from erp.lots.services import lot_create, lot_update
from erp.market.services import demand_create, fob_price_create
from erp.partners.models import Membership, Partner
from erp.partners.services import partner_create
from master.companies.demo_data import DEMO_ROLE_USERS
from triboka.accounts.models import Role, User
from triboka.accounts.services import user_create

PARTNERS = [
    # name, kind, tax id, province, canton, latitude, longitude
    ("{company}", "exporter", None, "09", "Guayaquil", "-2.170998", "-79.922359"),
    ("Centro de Acopio Vinces", "center", "1204829384001", "12", "Vinces", "-1.556021", "-79.752170"),
    (
        "Asociación Fortaleza del Valle",
        "supplier",
        "1391724381001",
        "13",
        "Calceta",
        "-0.846212",
        "-80.163431",
    ),
    ("Finca La Esperanza (José Mero)", "supplier", "1309382149", "13", "Chone", "-0.698254", "-80.093978"),
    ("Finca San Rafael (María Vera)", "supplier", "1203456783", "12", "Quevedo", "-1.022502", "-79.463517"),
    ("Chocolats Suisses SA", "buyer", "", "", "", None, None),
]
FOB_PRICES = [
    (2026, m, Decimal(p))
    for m, p in [
        (5, "7410.20"),
        (6, "7122.75"),
        (7, "6890.00"),
        (8, "6705.40"),
        (9, "6611.90"),
        (10, "6480.15"),
    ]
]


def minimal_pdf(title: str) -> bytes:
    """A valid one-page PDF with one line of text (offsets computed, no library needed)."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return body


def demo_erp_populate(*, company, password: str, email_domain: str) -> list[tuple[str, str]]:
    """Fill the current schema (the caller enters the company's context); returns the logins."""
    if Partner.all_objects.exists():
        return []
    admin = User.objects.filter(role=Role.ADMIN).order_by("pk").first()
    partners = _partners(company)
    logins = _users(partners, password, email_domain)
    contracts = _contracts(admin, partners)
    _lots(admin, partners, contracts, logins)
    _documents(admin, contracts)
    _market(admin)
    from iot.demo import demo_iot_populate

    demo_iot_populate(admin=admin, center=partners["center"][0])
    _operations(admin, partners, contracts)
    return logins


def _operations(admin, partners, contracts) -> None:
    """Receptions and their plots of origin, a quality analysis, fermentation and drying, a
    sale with its shipment, costs and payments, and verification codes: the ledger's demo
    comes last, so every other module's events are on the chain already."""
    from erp.eudr.demo import demo_eudr_populate
    from erp.export.demo import demo_export_populate
    from erp.finance.demo import demo_finance_populate
    from erp.ledger.demo import demo_ledger_populate
    from erp.processing.demo import demo_processing_populate
    from erp.quality.demo import demo_quality_populate
    from erp.reception.demo import demo_reception_populate

    center = partners["center"][0]
    receptions = demo_reception_populate(admin=admin, center=center, suppliers=partners["supplier"][:2])
    demo_eudr_populate(admin=admin, suppliers=partners["supplier"][:2], receptions=receptions)
    demo_quality_populate(admin=admin, partners=partners, contracts=contracts)
    demo_processing_populate(admin=admin, center=center)
    shipment = demo_export_populate(admin=admin, partners=partners, receptions=receptions)
    demo_finance_populate(admin=admin, receptions=receptions, shipment=shipment)
    demo_ledger_populate(admin=admin, partners=partners)


def _partners(company) -> dict[str, Partner]:
    partners = {}
    for name, kind, tax_id, province, canton, lat, lng in PARTNERS:
        partner = partner_create(
            name=name.format(company=company.name),
            kind=kind,
            tax_id=tax_id if tax_id is not None else company.ruc,
            province=province,
            canton=canton,
            latitude=Decimal(lat) if lat else None,
            longitude=Decimal(lng) if lng else None,
            contact_name="",
            email="",
        )
        partners.setdefault(kind, []).append(partner)
    return partners


def _users(partners, password, email_domain) -> list[tuple[str, str]]:
    partner_of = {
        Role.EXPORTER: partners["exporter"][0],
        Role.CENTER: partners["center"][0],
        Role.SUPPLIER: partners["supplier"][1],
    }
    logins = []
    for local_part, role in DEMO_ROLE_USERS:
        partner = partner_of[role]
        email = f"{local_part}@{email_domain}"
        user = User.objects.filter(email=email).first() or user_create(
            email=email, role=role, password=password
        )
        Membership.objects.update_or_create(user=user, defaults={"partner": partner})
        logins.append((email, role))
    return logins


def _contracts(admin, partners) -> dict[str, object]:
    exporter = partners["exporter"][0]
    today = timezone.localdate()
    plans = [  # counterparty, TM, price, path through the workflow
        (
            partners["center"][0],
            "60",
            {"price_type": "fixed", "price_usd_per_tm": Decimal("6450")},
            ["active", "in_execution"],
        ),
        (
            partners["supplier"][0],
            "25",
            {"price_type": "differential", "differential_usd_per_tm": Decimal("350")},
            ["active"],
        ),
        (partners["supplier"][1], "4", {"price_type": "fixed", "price_usd_per_tm": Decimal("6300")}, []),
        (
            partners["supplier"][2],
            "3",
            {"price_type": "differential", "differential_usd_per_tm": Decimal("-120")},
            ["active", "in_execution", "fulfilled"],
        ),
        (
            partners["center"][0],
            "15",
            {"price_type": "fixed", "price_usd_per_tm": Decimal("6900")},
            ["cancelled"],
        ),
    ]
    contracts = {}
    for counterparty, tm, price, path in plans:
        contract = contract_create(
            user=admin,
            exporter=exporter,
            counterparty=counterparty,
            volume_tm=Decimal(tm),
            signed_on=today - timedelta(days=40),
            delivery_from=today - timedelta(days=30),
            delivery_to=today + timedelta(days=120),
            quality_terms="Humedad máx. 7 %; fermentación mín. 75 %",
            variety="nacional",
            **price,
        )
        for status in path:
            contract_transition(contract=contract, to_status=status)
        contracts.setdefault(counterparty.kind, []).append(contract)
    return contracts


def _lots(admin, partners, contracts, logins) -> None:
    center_user = User.objects.get(email=next(email for email, role in logins if role == Role.CENTER))
    statuses = ["received", "drying", "dried", "stored", "stored", "dispatched", "rejected"]
    for n, status in enumerate(statuses * 2):
        owner = partners["center"][0] if n % 2 == 0 else partners["supplier"][n % 3]
        lot = lot_create(
            user=center_user if owner.kind == "center" else admin,
            owner=owner,
            weight_qq=Decimal(40 + n * 7),
            humidity_percent=Decimal("12.5") - Decimal(n) / 2,
            received_on=timezone.localdate() - timedelta(days=30 - n),
            variety="nacional",
        )
        if status != "received":
            lot_update(lot=lot, user=center_user, status=status)
        if owner.kind == "center" and status in ("stored", "dispatched"):
            contract_assign_lot(contract=contracts["center"][0], lot=lot, user=admin)


def _documents(admin, contracts) -> None:
    for contract, kind in [
        (contracts["center"][0], "contract"),
        (contracts["center"][0], "quality_analysis"),
        (contracts["supplier"][0], "contract"),
    ]:
        name = f"{contract.code}-{kind}.pdf"
        document_upload(
            contract=contract,
            kind=kind,
            user=admin,
            uploaded_file=SimpleUploadedFile(
                name,
                minimal_pdf(f"{contract.code} - {kind.replace('_', ' ')}"),
                content_type="application/pdf",
            ),
        )


def _market(admin) -> None:
    first = timezone.localdate().replace(day=1)
    for months_ahead, tm in ((0, "120"), (1, "150")):
        month = (first + timedelta(days=32 * months_ahead)).replace(day=1)
        demand_create(
            user=admin,
            month=month,
            tm_wanted=Decimal(tm),
            contract_type="differential",
            variety="nacional",
            valid_from=first,
            valid_to=month + timedelta(days=27),
        )
    for year, month, price in FOB_PRICES:
        fob_price_create(year=year, month=month, usd_per_tm=price, source="BCE")
