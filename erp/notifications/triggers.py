"""What sets notifications off: a document uploaded to a contract, a contract's status
change, a chat message for participants who are not in the room, a lot rejected.
Called by the services that make those changes; the actor is never told of their own act."""

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from erp.access import contract_participants, lot_watchers, partner_users
from master.companies.models import company_url
from triboka.redis_client import redis_client

from .models import NotificationKind
from .services import notify


def _link(path: str) -> str:
    tenant = connection.tenant
    return company_url(tenant.primary_domain, path) if hasattr(tenant, "primary_domain") else path


def _contract_page(contract) -> str:
    return _link(reverse("web:contract_detail", args=[contract.pk], urlconf=settings.ROOT_URLCONF))


def on_document_uploaded(document, actor) -> None:
    contract = document.contract
    notify(
        users=contract_participants(contract).exclude(pk=getattr(actor, "pk", None)),
        kind=NotificationKind.DOCUMENT_UPLOADED,
        describe=lambda: (
            _("New document on contract %(code)s") % {"code": contract.code},
            _("%(name)s (%(kind)s) was uploaded.")
            % {"name": document.original_name, "kind": document.get_kind_display()},
        ),
        url=_contract_page(contract),
    )


def on_contract_status(contract, actor) -> None:
    notify(
        users=contract_participants(contract).exclude(pk=getattr(actor, "pk", None)),
        kind=NotificationKind.CONTRACT_STATUS,
        describe=lambda: (
            _("Contract %(code)s is now «%(status)s»")
            % {"code": contract.code, "status": contract.get_status_display()},
            "",
        ),
        url=_contract_page(contract),
    )


def on_lot_rejected(lot, actor) -> None:
    notify(
        users=lot_watchers(lot).exclude(pk=getattr(actor, "pk", None)),
        kind=NotificationKind.LOT_REJECTED,
        describe=lambda: (_("Lot %(code)s was rejected") % {"code": lot.code}, ""),
        url=_link(reverse("web:lot_detail", args=[lot.pk], urlconf=settings.ROOT_URLCONF)),
    )


def on_lot_moisture_high(lot, *, limit, source: str, center_id: int | None) -> None:
    """A device measured ``lot`` above the company's moisture limit: its watchers and the
    users of the collection center where the device stands are told."""
    watchers = lot_watchers(lot)
    if center_id is not None:
        watchers = watchers | partner_users(center_id)
    notify(
        users=watchers.distinct(),
        kind=NotificationKind.LOT_MOISTURE_HIGH,
        describe=lambda: (
            _("Lot %(code)s: moisture %(moisture)s %% (limit %(limit)s %%)")
            % {"code": lot.code, "moisture": _number(lot.humidity_percent), "limit": _number(limit)},
            _("Measured by %(source)s.") % {"source": source},
        ),
        url=_link(reverse("web:lot_detail", args=[lot.pk], urlconf=settings.ROOT_URLCONF)),
    )


def _number(value) -> str:
    """In the recipient's language: 8,1 in Spanish, 8.1 in English."""
    return formats.number_format(value.normalize(), use_l10n=True)


def on_chat_message(message) -> None:
    contract = message.room.contract
    present = room_present_users(message.room_id)
    notify(
        users=contract_participants(contract).exclude(pk__in={message.author_id, *present}),
        kind=NotificationKind.CHAT_MESSAGE,
        describe=lambda: (
            _("New message on contract %(code)s") % {"code": contract.code},
            message.text[:300],
        ),
        url=_contract_page(contract) + "#chat",
    )


# --- who is in a chat room now (open sockets per user, in Redis) -------------------------

PRESENCE_SECONDS = 6 * 3600  # a crashed process's counts do not linger longer


def _presence_key(room_id: int) -> str:
    return f"{settings.CACHE_KEY_PREFIX}:{connection.schema_name}:chat-present:{room_id}"


def room_enter(room_id: int, user_id: int) -> None:
    client = redis_client()
    if client is None:
        return
    try:
        client.hincrby(_presence_key(room_id), user_id, 1)
        client.expire(_presence_key(room_id), PRESENCE_SECONDS)
    except Exception:
        pass  # without Redis everyone counts as away: notified rather than missed


def room_leave(room_id: int, user_id: int) -> None:
    client = redis_client()
    if client is None:
        return
    try:
        if client.hincrby(_presence_key(room_id), user_id, -1) <= 0:
            client.hdel(_presence_key(room_id), user_id)
    except Exception:
        pass


def room_present_users(room_id: int) -> set[int]:
    client = redis_client()
    if client is None:
        return set()
    try:
        counts = client.hgetall(_presence_key(room_id))
    except Exception:
        return set()
    return {int(user) for user, count in counts.items() if int(count) > 0}
