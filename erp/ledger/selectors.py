"""Reads of the ledger: who sees entries, a lot's chain of custody, and what of it is public.

The public page (``/verify/<code>/``) shows a buyer where a lot comes from, never what anyone
was paid: ``public_details`` drops every payload key about money (prices, amounts,
differentials, USD, payments, contracts), the actors' e-mail addresses and internal ids, and
names a supplier (often a farmer: a person) only by its canton and province.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from erp.access import is_company_side

from .models import LedgerEntry, VerificationCode

# Keys that may carry a price or an amount, wherever they sit in a payload.
PRIVATE_KEY = re.compile(
    r"price|amount|differential|usd|cost|pay|paid|fob|spot|contract|fee|total|value|metadata"
)
# Bookkeeping of the payload itself (the lot event's id, where it came from).
INTERNAL_KEYS = {"event", "source", "verification_code"}


def entries_visible_to(user, entries: QuerySet | None = None) -> QuerySet:
    """The company side sees the whole ledger; partners see none of it through the API."""
    entries = LedgerEntry.objects.all() if entries is None else entries
    return entries if is_company_side(user) else entries.none()


def lot_entry_count(lot) -> int:
    return LedgerEntry.objects.filter(lot_id=lot.pk).count()


def lot_lineage(lot) -> list[int]:
    """The lot and every lot that fed it (splits and merges), by the inventory's genealogy
    (a recursive query) when that is installed; the lot alone otherwise."""
    try:
        from erp.lots.genealogy import lot_lineage_ids
    except ImportError:
        return [lot.pk]
    return sorted({lot.pk, *lot_lineage_ids(lot=lot, direction="up")})


def verification_code_of(lot) -> VerificationCode | None:
    return VerificationCode.objects.filter(lot_id=lot.pk).first()


def verification_code_find(code: str) -> VerificationCode | None:
    from .services import normalize_code

    return VerificationCode.objects.select_related("lot").filter(code=normalize_code(code)).first()


@dataclass(frozen=True)
class PublicEntry:
    seq: int
    at: datetime
    kind: str
    lot_code: str
    details: list[tuple[str, str]]
    entry_hash: str


def custody_entries(lot) -> list[PublicEntry]:
    """The ledger entries of the lot and its ancestors, in chain order, with only what may be
    shown to anyone."""
    entries = list(LedgerEntry.objects.filter(lot_id__in=lot_lineage(lot)).order_by("seq"))
    partners = _partner_labels(entries)
    return [
        PublicEntry(
            seq=entry.seq,
            at=entry.at,
            kind=kind_label(entry.kind),
            lot_code=entry.lot_code,
            details=public_details(entry.payload, partners=partners),
            entry_hash=entry.entry_hash,
        )
        for entry in entries
    ]


def kind_label(kind: str) -> str:
    from erp.lots.models import LotEventAction

    from .services import CODE_ISSUED

    if kind == CODE_ISSUED:
        return _("Verification code issued")
    try:
        return str(LotEventAction(kind).label)
    except ValueError:
        return kind.replace("_", " ").capitalize()


def is_private(key: str) -> bool:
    return bool(PRIVATE_KEY.search(key.lower())) or key in INTERNAL_KEYS


def public_details(payload, *, partners: dict | None = None) -> list[tuple[str, str]]:
    """A payload as (label, value) rows a buyer may read: a lot event's ``changes`` and any
    other top-level keys, private ones dropped (at every depth)."""
    if not isinstance(payload, dict):
        return []
    fields = dict(payload.get("changes") or {}) if isinstance(payload.get("changes"), dict) else {}
    fields.update({key: value for key, value in payload.items() if key != "changes"})
    rows = []
    for key, value in sorted(fields.items()):
        if is_private(key):
            continue
        shown = _shown(key, value, partners or {})
        if shown not in ("", None):
            rows.append((field_label(key), shown))
    return rows


def _shown(key: str, value, partners: dict) -> str:
    if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], list | dict):
        before, after = (_value(key, item, partners) for item in value)
        return after if before in ("", None) else f"{before} → {after}"
    if isinstance(value, dict):
        inner = [
            f"{field_label(k)}: {_shown(k, v, partners)}"
            for k, v in sorted(value.items())
            if not is_private(k)
        ]
        return "; ".join(inner)
    if isinstance(value, list):
        return ", ".join(str(_shown(key, item, partners)) for item in value)
    return _value(key, value, partners)


def _value(key: str, value, partners: dict) -> str:
    if value is None or value == "":
        return ""
    if key == "owner" or key.endswith("partner") or key in ("supplier", "center"):
        return partners.get(value, "") if isinstance(value, int) else str(value)
    if key.endswith("_kg"):
        return _weight(value)
    if key.endswith("_percent"):
        from erp.web.templatetags.erp_web import percent

        try:
            return percent(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    return _choice_label(key, value)


def _weight(value) -> str:
    from erp.units import kg_to_tm
    from erp.web.templatetags.erp_web import kg, plain_number, qq

    try:
        weight = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{kg(weight)} · {qq(weight)} · {plain_number(kg_to_tm(weight), 3)} TM"


def _choice_label(key: str, value) -> str:
    from erp.contracts.models import Variety
    from erp.lots.models import Grade, LotStatus, ProductForm

    choices = {"variety": Variety, "form": ProductForm, "grade": Grade, "status": LotStatus}.get(key)
    if choices is not None:
        try:
            return str(choices(value).label)
        except ValueError:
            pass
    return str(value)


def field_label(key: str) -> str:
    label = {
        "code": _("Lot code"),
        "weight_kg": _("Weight"),
        "humidity_percent": _("Moisture"),
        "variety": _("Variety"),
        "form": _("Form"),
        "grade": _("Grade"),
        "status": _("Status"),
        "received_on": _("Received on"),
        "owner": _("Held by"),
    }.get(key)
    return label or key.replace("_", " ").capitalize()


def _partner_labels(entries) -> dict[int, str]:
    """Partners named in the entries (one query): centers and exporters by name, a supplier by
    its place only."""
    from erp.partners.models import Partner, PartnerKind

    ids = set()
    for entry in entries:
        changes = entry.payload.get("changes") if isinstance(entry.payload, dict) else None
        owner = (changes or {}).get("owner") if isinstance(changes, dict) else None
        for value in owner if isinstance(owner, list) else [owner]:
            if isinstance(value, int):
                ids.add(value)
    labels = {}
    for partner in Partner.objects.filter(pk__in=ids):
        if partner.kind == PartnerKind.SUPPLIER:
            place = ", ".join(part for part in (partner.canton, partner.get_province_display()) if part)
            labels[partner.pk] = _("Supplier (%(place)s)") % {"place": place} if place else _("Supplier")
        else:
            labels[partner.pk] = f"{partner.name} ({partner.get_kind_display()})"
    return labels
