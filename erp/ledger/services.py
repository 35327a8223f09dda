"""Appending to the traceability ledger and verifying its chain."""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import LedgerEntry, VerificationCode

GENESIS_HASH = "0" * 64
VERIFY_CHUNK = 10_000
CODE_ISSUED = "code_issued"  # the ledger kind of a verification code's issue


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def canonical_content(
    *, seq: int, at: datetime, kind: str, lot_id, lot_code: str, actor: str, payload
) -> bytes:
    """The bytes an entry's hash covers: every stored column but the hashes, as sorted,
    compact JSON (the payload as the database gives it back, so a jsonb round trip changes
    nothing)."""
    content = {
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(),
        "kind": kind,
        "lot_id": lot_id,
        "lot_code": lot_code,
        "actor": actor,
        "payload": payload,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + content).hexdigest()


def _lock_chain() -> None:
    """One writer at a time per company: the next entry needs the last one's hash."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':ledger'))")


@transaction.atomic
def ledger_append(
    *, kind: str, payload: dict | None = None, lot=None, actor: str = "", at: datetime | None = None
) -> LedgerEntry:
    """Appends one traceability event to the company's chain."""
    _lock_chain()
    last = LedgerEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    payload = json.loads(json.dumps(payload or {}, default=_plain))
    entry = LedgerEntry(
        seq=seq,
        at=at or timezone.now(),
        kind=kind,
        lot_id=getattr(lot, "pk", None),
        lot_code=getattr(lot, "code", "") or "",
        actor=actor[:254],
        payload=payload,
        prev_hash=prev_hash,
    )
    entry.entry_hash = chain_hash(prev_hash, _content_of(entry))
    entry.save(force_insert=True)
    return entry


def _content_of(entry) -> bytes:
    return canonical_content(
        seq=entry.seq,
        at=entry.at,
        kind=entry.kind,
        lot_id=entry.lot_id,
        lot_code=entry.lot_code,
        actor=entry.actor,
        payload=entry.payload,
    )


@dataclass(frozen=True)
class LedgerBreak:
    seq: int
    reason: str  # "altered", "missing" (a gap: deleted rows) or "out_of_order"

    @property
    def message(self) -> str:
        messages = {
            "altered": _("entry #%(seq)s was altered: its content no longer matches its hash"),
            "missing": _("entry #%(seq)s is missing: a row was deleted"),
            "out_of_order": _(
                "entry #%(seq)s does not follow the entry before it: rows were reordered or re-linked"
            ),
        }
        return messages[self.reason] % {"seq": self.seq}


@dataclass(frozen=True)
class LedgerReport:
    entries: int  # entries read (up to and including the first broken link)
    first_break: LedgerBreak | None
    last_seq: int = 0  # the last entry that verified

    @property
    def intact(self) -> bool:
        return self.first_break is None


ROW_COLUMNS = ("seq", "at", "kind", "lot_id", "lot_code", "actor", "payload", "prev_hash", "entry_hash")


def ledger_verify(*, up_to_seq: int | None = None, progress=None) -> LedgerReport:
    """Walks the chain in order and reports the first broken link, if any.

    - a sequence number skipped: "missing" (a row was deleted);
    - a row whose previous hash is not the hash of the row before it: "out_of_order"
      (rows swapped, or a row altered and its own hash recomputed: the next link breaks);
    - a row whose content no longer matches its hash: "altered".

    ``up_to_seq`` stops after that entry (the public page checks a lot's chain up to its last
    entry); a chain that ends before it is "missing" there. Rows are read as plain tuples
    through a server-side cursor: memory stays flat whatever the chain's length.
    """
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    rows = LedgerEntry.objects.order_by("seq")
    if up_to_seq is not None:
        rows = rows.filter(seq__lte=up_to_seq)
    for seq, at, kind, lot_id, lot_code, actor, payload, prev, entry_hash in rows.values_list(
        *ROW_COLUMNS
    ).iterator(chunk_size=VERIFY_CHUNK):
        count += 1
        if seq != expected_seq:
            return LedgerReport(count, LedgerBreak(expected_seq, "missing"), expected_seq - 1)
        if prev != prev_hash:
            return LedgerReport(count, LedgerBreak(seq, "out_of_order"), seq - 1)
        content = canonical_content(
            seq=seq, at=at, kind=kind, lot_id=lot_id, lot_code=lot_code, actor=actor, payload=payload
        )
        if chain_hash(prev, content) != entry_hash:
            return LedgerReport(count, LedgerBreak(seq, "altered"), seq - 1)
        expected_seq, prev_hash = seq + 1, entry_hash
        if progress and count % VERIFY_CHUNK == 0:
            progress(count)
    if up_to_seq is not None and expected_seq <= up_to_seq:
        return LedgerReport(count, LedgerBreak(expected_seq, "missing"), expected_seq - 1)
    return LedgerReport(count, None, expected_seq - 1)


# A public page may be opened by anyone, often: its verification is remembered for a while
# (per company: cache keys carry the schema), so a long chain is not walked on every visit.
PUBLIC_VERIFY_CACHE_SECONDS = 600


def ledger_verify_remembered(*, up_to_seq: int) -> LedgerReport:
    """``ledger_verify(up_to_seq=...)``, reusing a result of the last ten minutes for the same
    last entry (its hash in the key: a chain rebuilt under the same numbers is not taken for
    the one verified). A row altered in the database shows within that time."""
    from django.core.cache import cache

    last_hash = LedgerEntry.objects.filter(seq=up_to_seq).values_list("entry_hash", flat=True).first()
    key = f"ledger:verified-up-to:{up_to_seq}:{last_hash}"
    try:
        report = cache.get(key)
    except Exception:  # the cache down: verify without it
        return ledger_verify(up_to_seq=up_to_seq)
    if report is None:
        report = ledger_verify(up_to_seq=up_to_seq)
        try:
            cache.set(key, report, PUBLIC_VERIFY_CACHE_SECONDS)
        except Exception:
            pass
    return report


# --- verification codes of lots -------------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648 base32: no 0/1/8/9 to misread
CODE_LENGTH = 12  # 60 random bits


def normalize_code(code: str) -> str:
    """What a person types or a QR reader gives back: any case, with dashes or spaces."""
    return "".join(code.split()).replace("-", "").upper()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def verification_code_issue(*, lot, user) -> tuple[VerificationCode, bool]:
    """The lot's verification code, issued now if it has none (``created`` says which).

    Issuing again keeps the code, so a certificate already printed keeps working. The issue is
    itself a ledger entry of the lot."""
    from erp.lots.models import Lot

    with transaction.atomic():
        Lot.all_objects.select_for_update().filter(pk=lot.pk).values_list("pk").first()
        existing = VerificationCode.objects.filter(lot_id=lot.pk).first()
        if existing:
            return existing, False
        code = _new_code()
        while VerificationCode.objects.filter(code=code).exists():  # 60 bits: practically never
            code = _new_code()
        issued = VerificationCode(lot=lot, code=code, issued_at=timezone.now(), issued_by=user)
        issued.full_clean()
        issued.save(force_insert=True)
        ledger_append(
            kind=CODE_ISSUED,
            lot=lot,
            actor=getattr(user, "email", "") or "",
            payload={"verification_code": code},
            at=issued.issued_at,
        )
    return issued, True
