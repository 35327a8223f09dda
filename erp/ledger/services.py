"""Appending to the traceability ledger and verifying its chain."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from .models import LedgerEntry

GENESIS_HASH = "0" * 64
VERIFY_CHUNK = 10_000


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


@dataclass(frozen=True)
class LedgerReport:
    entries: int
    first_break: LedgerBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def ledger_verify(*, progress=None) -> LedgerReport:
    """Walks the chain in order and reports the first broken link, if any.

    - a row whose content no longer matches its hash: "altered";
    - a sequence number skipped: "missing" (a row was deleted);
    - a row whose previous hash is not the hash of the row before it: "out_of_order"
      (rows swapped or re-linked).
    """
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    rows = LedgerEntry.objects.order_by("seq").only(
        "seq", "at", "kind", "lot_id", "lot_code", "actor", "payload", "prev_hash", "entry_hash"
    )
    for entry in rows.iterator(chunk_size=VERIFY_CHUNK):
        count += 1
        if entry.seq != expected_seq:
            return LedgerReport(count, LedgerBreak(expected_seq, "missing"))
        if entry.prev_hash != prev_hash:
            return LedgerReport(count, LedgerBreak(entry.seq, "out_of_order"))
        if chain_hash(entry.prev_hash, _content_of(entry)) != entry.entry_hash:
            return LedgerReport(count, LedgerBreak(entry.seq, "altered"))
        expected_seq, prev_hash = entry.seq + 1, entry.entry_hash
        if progress and count % VERIFY_CHUNK == 0:
            progress(count)
    return LedgerReport(count, None)
