"""The ledger rows of the permission matrix (docs/permissions/ledger.md): the fixture objects
their paths name and the bodies of the rows that write."""

from types import SimpleNamespace


def coded_lot(world):
    """The center's lot with its verification code issued."""
    from erp.ledger.services import verification_code_issue

    lot = world.lots["center"]
    verification_code_issue(lot=lot, user=world.users["admin"])
    return lot


def first_entry(world):
    """Entries are addressed by their sequence number, not their row id."""
    from erp.ledger.models import LedgerEntry

    return SimpleNamespace(pk=LedgerEntry.objects.order_by("seq").values_list("seq", flat=True).first())


PREPARE = {
    "lot:coded": coded_lot,
    "entry:first": first_entry,
}


def bodies(world) -> dict:
    return {
        ("POST", "/api/v1/ledger/lots/{lot:supplier}/code/"): {},
        ("POST", "/api/v1/ledger/lots/{lot:coded}/code/"): {},
        ("POST", "/api/v1/ledger/lots/{lot:deleted}/code/"): {},
    }
