"""Signals of the lots app, for modules built on lots (they depend on lots, never the
reverse): ``lot_status_changed(sender=Lot, lot, user, before, after)`` is sent inside the
transaction that changed the status."""

from django.dispatch import Signal

lot_status_changed = Signal()
