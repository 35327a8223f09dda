"""The hash chain: append and verify, the first broken link of an altered, deleted or
reordered row, the trigger that refuses UPDATE and DELETE, appends from two threads at once,
and ``manage.py verify_ledger``."""

import hashlib
import json
import threading
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import tenant_context

from erp.ledger.models import LedgerEntry
from erp.ledger.services import GENESIS_HASH, ledger_append, ledger_verify

TRIGGER = "ledger_entry_append_only"


def tamper(sql: str, params=()) -> None:
    """A row changed behind the application's back: the trigger off for one statement, inside
    the test's transaction (the test database user may)."""
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE ledger_ledgerentry DISABLE TRIGGER {TRIGGER}")
        cursor.execute(sql, params)
        cursor.execute(f"ALTER TABLE ledger_ledgerentry ENABLE TRIGGER {TRIGGER}")


@pytest.fixture
def chain(erp_a):
    """Company A's chain: its fixture lots' events, then five stock movements: 8 entries."""
    with tenant_context(erp_a.company):
        lot = erp_a.lots["center"]
        for n in range(5):
            ledger_append(kind="moved", lot=lot, actor="bodega@a.test", payload={"kg": Decimal(f"10{n}.5")})
        yield erp_a
    connection.set_schema_to_public()


def test_each_entry_hashes_its_canonical_content_and_the_previous_hash(chain):
    entries = list(LedgerEntry.objects.order_by("seq"))
    assert [entry.seq for entry in entries] == list(range(1, 9))
    assert entries[0].prev_hash == GENESIS_HASH
    for before, entry in zip(entries, entries[1:], strict=False):
        assert entry.prev_hash == before.entry_hash
    last = entries[-1]
    content = {
        "actor": "bodega@a.test",
        "at": last.at.astimezone(UTC).isoformat(),
        "kind": "moved",
        "lot_code": chain.lots["center"].code,
        "lot_id": chain.lots["center"].pk,
        "payload": {"kg": "104.5"},  # a Decimal as its string: no float rounding
        "seq": 8,
    }
    expected = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert last.entry_hash == hashlib.sha256(last.prev_hash.encode() + b"\n" + expected).hexdigest()


def test_an_untouched_chain_verifies_intact(chain):
    report = ledger_verify()
    assert (report.intact, report.entries, report.last_seq) == (True, 8, 8)


def test_an_altered_payload_is_the_first_broken_link(chain):
    tamper("UPDATE ledger_ledgerentry SET payload = %s WHERE seq = 6", ['{"kg": "999.5"}'])
    report = ledger_verify()
    assert (report.first_break.seq, report.first_break.reason, report.last_seq) == (6, "altered", 5)


def test_an_altered_date_or_actor_breaks_the_chain_too(chain):
    tamper("UPDATE ledger_ledgerentry SET actor = 'otro@a.test' WHERE seq = 2")
    assert (ledger_verify().first_break.seq, ledger_verify().first_break.reason) == (2, "altered")


def test_a_row_altered_with_its_hash_recomputed_breaks_the_next_link(chain):
    entry = LedgerEntry.objects.get(seq=5)
    from erp.ledger.services import _content_of, chain_hash

    entry.payload = {"kg": "1.5"}
    forged = chain_hash(entry.prev_hash, _content_of(entry))
    tamper(
        "UPDATE ledger_ledgerentry SET payload = %s, entry_hash = %s WHERE seq = 5", ['{"kg": "1.5"}', forged]
    )
    report = ledger_verify()
    assert (report.first_break.seq, report.first_break.reason) == (6, "out_of_order")


def test_a_deleted_row_is_missing_at_its_sequence(chain):
    tamper("DELETE FROM ledger_ledgerentry WHERE seq = 4")
    report = ledger_verify()
    assert (report.first_break.seq, report.first_break.reason) == (4, "missing")


def test_the_first_row_deleted_is_missing_at_one(chain):
    tamper("DELETE FROM ledger_ledgerentry WHERE seq = 1")
    assert (ledger_verify().first_break.seq, ledger_verify().first_break.reason) == (1, "missing")


def test_swapped_rows_are_out_of_order_at_the_first_of_them(chain):
    tamper("UPDATE ledger_ledgerentry SET seq = 1000 WHERE seq = 7")
    tamper("UPDATE ledger_ledgerentry SET seq = 7 WHERE seq = 3")
    tamper("UPDATE ledger_ledgerentry SET seq = 3 WHERE seq = 1000")
    report = ledger_verify()
    assert (report.first_break.seq, report.first_break.reason) == (3, "out_of_order")


def test_verifying_up_to_an_entry_ignores_later_breaks_but_not_a_missing_end(chain):
    tamper("UPDATE ledger_ledgerentry SET payload = '{}' WHERE seq = 8")
    assert ledger_verify(up_to_seq=7).intact
    assert not ledger_verify(up_to_seq=8).intact
    tamper("DELETE FROM ledger_ledgerentry WHERE seq = 8")
    report = ledger_verify(up_to_seq=8)
    assert (report.first_break.seq, report.first_break.reason) == (8, "missing")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_ledgerentry SET actor = 'x' WHERE seq = 2",
        "DELETE FROM ledger_ledgerentry WHERE seq = 2",
    ],
)
def test_the_database_refuses_update_and_delete(chain, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(seq=3).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(seq=3).update(kind="received")
    assert ledger_verify().intact


def test_progress_is_reported_for_long_chains(chain, monkeypatch):
    import erp.ledger.services as services

    monkeypatch.setattr(services, "VERIFY_CHUNK", 3)
    seen = []
    assert services.ledger_verify(progress=seen.append).intact
    assert seen == [3, 6]


def test_concurrent_appends_from_two_threads_keep_the_chain_linear(committed_company, django_db_blocker):
    """Two threads, each on its own database connection in the company's schema, append 25
    entries each at the same time: the advisory lock makes them take turns."""
    per_thread, start, errors = 25, threading.Barrier(2), []

    def append(name: str) -> None:
        try:
            with tenant_context(committed_company):
                start.wait()
                for n in range(per_thread):
                    ledger_append(kind="moved", actor=name, payload={"n": n})
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=append, args=(name,)) for name in ("uno", "dos")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        with tenant_context(committed_company):
            report = ledger_verify()
            actors = list(LedgerEntry.objects.filter(kind="moved").values_list("actor", flat=True))
            seqs = list(LedgerEntry.objects.values_list("seq", flat=True))
        connection.set_schema_to_public()
    assert report.intact
    assert seqs == list(range(1, len(seqs) + 1))
    assert sorted(actors) == ["dos"] * per_thread + ["uno"] * per_thread


def test_the_command_reports_each_company_and_fails_on_a_broken_chain(chain, erp_b):
    out = StringIO()
    call_command("verify_ledger", chain.company.slug, stdout=out)
    assert out.getvalue().strip() == f"{chain.company.slug}: ok, 8 entries"

    with tenant_context(chain.company):
        tamper("DELETE FROM ledger_ledgerentry WHERE seq = 5")
    connection.set_schema_to_public()
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("verify_ledger", stdout=out)
    assert refused.value.returncode == 1
    assert chain.company.slug in str(refused.value) and erp_b.company.slug not in str(refused.value)
    lines = out.getvalue().splitlines()
    assert f"{chain.company.slug}: BROKEN at entry #5 (missing)" in "\n".join(lines)
    assert f"{erp_b.company.slug}: ok, 3 entries" in lines


def test_the_command_refuses_an_unknown_company(db):
    with pytest.raises(CommandError, match="No company"):
        call_command("verify_ledger", "no-such-company")


def test_a_given_date_is_stored_and_hashed_as_given(chain):
    entry = ledger_append(kind="moved", payload={}, at=datetime(2026, 12, 3, 12, 0, tzinfo=UTC))
    assert LedgerEntry.objects.get(seq=entry.seq).at == entry.at
    assert ledger_verify().intact
