"""Reads of live chats, and who may see which: a company user only their own chats on their
own company's site (anything else is ``Chat.DoesNotExist``, a 404 or a 4404 close), staff on
the root domain every chat."""

from datetime import timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from .models import Chat, ChatMessage

# How long an ended chat stays in the requester's widget, so they read how it ended.
RECENT_ENDED = timedelta(minutes=30)
HISTORY_LIMIT = 200


def chat_get_for_requester(*, company, user, pk) -> Chat:
    return (
        Chat.objects.select_related("company", "ticket")
        .of_requester(company=company, user_id=user.pk)
        .get(pk=pk)
    )


def chat_current_for(*, company, user) -> Chat | None:
    """The requester's open chat, else the one that ended a moment ago, else None."""
    chats = Chat.objects.select_related("company", "ticket").of_requester(company=company, user_id=user.pk)
    current = chats.still_open().order_by("-created_at").first()
    if current is None:
        current = chats.filter(ended_at__gte=timezone.now() - RECENT_ENDED).order_by("-ended_at").first()
    return current


def chat_messages(*, chat: Chat, after: int = 0) -> list[ChatMessage]:
    return list(chat.messages.filter(pk__gt=after).order_by("pk")[:HISTORY_LIMIT])


def chat_get_for_staff(*, user, pk) -> Chat:
    if not (user.is_active and user.is_staff):
        raise Chat.DoesNotExist
    return Chat.objects.select_related("company", "ticket").get(pk=pk)


def chats_open_for_staff():
    """Waiting and active chats, the oldest waiting first, each with its last message."""
    last_body = ChatMessage.objects.filter(chat=OuterRef("pk")).order_by("-pk").values("body")[:1]
    return (
        Chat.objects.still_open()
        .select_related("company", "ticket")
        .annotate(preview=Subquery(last_body))
        .order_by("-status", "created_at")  # waiting before active
    )
