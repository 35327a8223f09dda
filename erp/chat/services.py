"""The contract chat: who takes part, posting (saved, then broadcast), reading.

One service behind the websocket and the REST API. A message is committed before it is
broadcast (``transaction.on_commit``), so what a participant receives live is always what a
reconnecting client reads back with ``?after=``.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from erp.access import contracts_visible_to
from erp.contracts.models import Contract
from triboka.errors import ApplicationError
from triboka.redis_client import redis_client
from triboka.websockets import group_name

from .models import ChatMessage, ChatReadMark, ChatRoom


def message_id_error() -> str:
    return _("Give the id of a message (a whole number).")


def chat_room_for(*, user, contract_id) -> ChatRoom:
    """The room of a contract the user takes part in; Contract.DoesNotExist when there is no
    such contract, PermissionError when the user is not a participant."""
    contract = Contract.objects.get(pk=contract_id)
    if not contracts_visible_to(user, Contract.objects.filter(pk=contract.pk)).exists():
        raise PermissionError
    room, _created = ChatRoom.objects.get_or_create(contract=contract)
    return room


def room_group(room: ChatRoom) -> str:
    return group_name(connection.schema_name, "contract", room.contract_id, "chat")


def message_data(message: ChatMessage) -> dict:
    return {
        "id": message.pk,
        "room": message.room_id,
        "author": message.author.email if message.author else None,
        "author_name": message.author.get_full_name() if message.author else "",
        "text": message.text,
        "attachment": message.attachment_id,
        "created_at": message.created_at.isoformat(),
    }


def _check_rate(user) -> None:
    """CHAT_RATE_MESSAGES per CHAT_RATE_SECONDS per user (a Redis counter per window)."""
    client = redis_client()
    if client is None:
        return
    key = f"{settings.CACHE_KEY_PREFIX}:{connection.schema_name}:chat-rate:{user.pk}"
    try:
        count = client.incr(key)
        if count == 1:
            client.expire(key, settings.CHAT_RATE_SECONDS)
    except Exception:  # a Redis outage must not stop the chat
        return
    if count > settings.CHAT_RATE_MESSAGES:
        raise ApplicationError(
            _("You are sending messages too fast; wait a few seconds."), code="throttled", status_code=429
        )


@transaction.atomic
def chat_message_post(*, room: ChatRoom, user, text: str = "", attachment=None) -> ChatMessage:
    text = (text or "").strip()
    if not text and attachment is None:
        raise ValidationError({"text": _("Write a message or attach a document.")})
    if len(text) > settings.CHAT_MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                "text": _("A message has at most %(max)d characters.")
                % {"max": settings.CHAT_MESSAGE_MAX_LENGTH}
            }
        )
    if "\x00" in text:
        raise ValidationError({"text": _("Null characters are not allowed.")})
    if attachment is not None and attachment.contract_id != room.contract_id:
        raise ValidationError({"attachment": _("Attach a document of this contract.")})
    _check_rate(user)
    message = ChatMessage.objects.create(room=room, author=user, text=text, attachment=attachment)
    _read_up_to_own_message(message)
    payload = {"type": "chat.message", "message": message_data(message)}
    group = room_group(room)
    # robust: with the channel layer down the message is saved all the same, and clients
    # fetch it on reconnecting (?after=); the failed broadcast is logged.
    transaction.on_commit(lambda: async_to_sync(get_channel_layer().group_send)(group, payload), robust=True)
    # Telling the participants who are away is a task, off the message's path.
    transaction.on_commit(lambda: _notify_away_participants(message.pk), robust=True)
    return message


def _read_up_to_own_message(message: ChatMessage) -> None:
    """One's own message is read: one upsert (it is the room's newest message)."""
    ChatReadMark.objects.bulk_create(
        [ChatReadMark(room_id=message.room_id, user_id=message.author_id, last_read_id=message.pk)],
        update_conflicts=True,
        unique_fields=["room", "user"],
        update_fields=["last_read_id", "updated_at"],
    )


def _notify_away_participants(message_id: int) -> None:
    from erp.notifications.tasks import chat_message_notify

    chat_message_notify.delay(message_id)


def chat_mark_read(*, room: ChatRoom, user, up_to: int) -> ChatReadMark:
    mark, _created = ChatReadMark.objects.get_or_create(room=room, user=user)
    last = (
        ChatMessage.objects.filter(room=room, pk__lte=up_to)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if last and last > mark.last_read_id:
        mark.last_read_id = last
        mark.save(update_fields=["last_read_id", "updated_at"])
    return mark


def chat_messages_latest(*, room: ChatRoom, count: int = 50):
    """The last ``count`` messages, oldest first."""
    latest = ChatMessage.objects.filter(room=room).select_related("author").order_by("-pk")[:count]
    return list(reversed(latest))


def chat_messages_after(*, room: ChatRoom, after: int = 0, limit: int = 200):
    return list(
        ChatMessage.objects.filter(room=room, pk__gt=after).select_related("author").order_by("pk")[:limit]
    )


def chat_unread_count(*, room: ChatRoom, user) -> int:
    mark = (
        ChatReadMark.objects.filter(room=room, user=user).values_list("last_read_id", flat=True).first() or 0
    )
    return ChatMessage.objects.filter(room=room, pk__gt=mark).exclude(author=user).count()
