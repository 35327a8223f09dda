"""Writes on live chats: starting one, posting, closing, turning it into a ticket (by staff,
or by itself when nobody from support answered in ``support_chat_wait_minutes``).

Every change is committed before it is broadcast (``transaction.on_commit``): the chat's
group (``<company schema>.support.chat.<id>``: its requester and the staff console) gets the
message or the new status, the staff group (``public.support.staff``) the chat's summary for
the live list in the master admin. Who may call what is decided by the callers through
``selectors``.
"""

import logging
from datetime import datetime, timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from master.platform.services import system_settings
from support.tickets.models import AuthorKind, Ticket, TicketCategory, TicketSource
from support.tickets.services import Author, Requester, ticket_open
from triboka.errors import ApplicationError
from triboka.websockets import group_name

from .models import Chat, ChatMessage, ChatStatus

logger = logging.getLogger(__name__)

MESSAGE_MAX_LENGTH = 4000
TRANSCRIPT_MAX_LENGTH = 19000  # a ticket message holds 20,000 characters
SUBJECT_LENGTH = 80


# --- groups and payloads -------------------------------------------------------------------


def chat_group(chat: Chat) -> str:
    return group_name(chat.company.schema_name, "support", "chat", chat.pk)


def staff_group() -> str:
    return group_name(get_public_schema_name(), "support", "staff")


def message_data(message: ChatMessage) -> dict:
    return {
        "id": message.pk,
        "chat": message.chat_id,
        "author_kind": message.author_kind,
        "author_name": message.author_name,
        "body": message.body,
        "created_at": message.created_at.isoformat(),
    }


def ticket_url(ticket: Ticket) -> str:
    """The ticket's page on its company's site (a path: the requester is on that site)."""
    try:
        return reverse("support_ticket_detail", kwargs={"pk": ticket.pk}, urlconf="triboka.urls_tenant")
    except NoReverseMatch:
        return f"/support/tickets/{ticket.pk}/"


def status_data(chat: Chat) -> dict:
    ticket = chat.ticket
    return {
        "id": chat.pk,
        "status": chat.status,
        "status_display": str(chat.get_status_display()),
        "staff_name": chat.staff_name,
        "ticket": {"number": ticket.number, "url": ticket_url(ticket)} if ticket else None,
    }


def summary_data(chat: Chat, *, preview: str = "") -> dict:
    """A chat as the staff list shows it."""
    return {
        **status_data(chat),
        "company": chat.company.name,
        "requester_name": chat.requester_name,
        "requester_email": chat.requester_email,
        "created_at": chat.created_at.isoformat(),
        "waiting_since": formats.date_format(timezone.localtime(chat.created_at), "H:i"),
        "preview": preview[:120],
        "console_url": reverse(
            "admin:support_livechat_chat_console", args=[chat.pk], urlconf="triboka.urls_public"
        ),
    }


def _broadcast(chat: Chat, event: dict, *, preview: str = "") -> None:
    """After commit: ``event`` to the chat's group, the chat's summary to the staff list. With
    the channel layer down the change is saved all the same (clients read it on reconnecting)."""
    group, summary = chat_group(chat), {"type": "chat.summary", "chat": summary_data(chat, preview=preview)}

    def send():
        layer = get_channel_layer()
        async_to_sync(layer.group_send)(group, event)
        async_to_sync(layer.group_send)(staff_group(), summary)

    transaction.on_commit(send, robust=True)


# --- writes ------------------------------------------------------------------------------------


def _body_clean(body) -> str:
    body = str(body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {"body": _("A message has at most %(max)d characters.") % {"max": MESSAGE_MAX_LENGTH}}
        )
    if "\x00" in body:
        raise ValidationError({"body": _("Null characters are not allowed.")})
    return body


def _message_add(*, chat: Chat, author: Author, body: str) -> ChatMessage:
    message = ChatMessage.objects.create(
        chat=chat, author_kind=author.kind, author_name=author.name[:150], body=body
    )
    chat.last_message_at = message.created_at
    return message


@transaction.atomic
def chat_start(*, company, requester: Requester, body: str, now: datetime | None = None) -> Chat:
    """The requester's open chat with this message added, or a new chat while support is
    open (outside the hours the widget offers a ticket instead)."""
    body = _body_clean(body)
    chat = (
        Chat.objects.select_for_update()
        .of_requester(company=company, user_id=requester.user_id)
        .still_open()
        .order_by("-created_at")
        .first()
    )
    if chat is None:
        if not system_settings().support_is_open(now or timezone.now()):
            raise ApplicationError(
                _("Live support is offline now. Open a ticket and we will answer it."), code="support_offline"
            )
        chat = Chat.objects.create(
            company=company,
            requester_user_id=requester.user_id,
            requester_email=requester.email,
            requester_name=requester.name[:150],
        )
    _post(
        chat=chat,
        author=Author(AuthorKind.REQUESTER, requester.user_id, requester.name, requester.email),
        body=body,
    )
    return chat


@transaction.atomic
def chat_message_post(*, chat: Chat, author: Author, body: str) -> ChatMessage:
    """A message on an open chat. The first staff answer takes the chat (active, answered
    by them, no longer waiting to become a ticket)."""
    body = _body_clean(body)
    chat = Chat.objects.select_for_update(of=("self",)).select_related("company", "ticket").get(pk=chat.pk)
    if not chat.is_open:
        raise ApplicationError(_("This chat has ended."), code="chat_ended")
    return _post(chat=chat, author=author, body=body)


def _post(*, chat: Chat, author: Author, body: str) -> ChatMessage:
    message = _message_add(chat=chat, author=author, body=body)
    changed = ["last_message_at"]
    taken = author.kind == AuthorKind.STAFF and chat.first_staff_answer_at is None
    if taken:
        chat.first_staff_answer_at = message.created_at
        chat.status = ChatStatus.ACTIVE
        chat.staff_user_id, chat.staff_name = author.user_id, author.name[:150]
        changed += ["first_staff_answer_at", "status", "staff_user_id", "staff_name"]
    chat.save(update_fields=changed)
    _broadcast(chat, {"type": "chat.message", "message": message_data(message)}, preview=body)
    if taken:
        _broadcast_status(chat)
    return message


def _broadcast_status(chat: Chat) -> None:
    group = chat_group(chat)
    event = {"type": "chat.status", "chat": status_data(chat)}
    transaction.on_commit(lambda: async_to_sync(get_channel_layer().group_send)(group, event), robust=True)


def _end(*, chat: Chat, status: str, note: str) -> None:
    chat.status, chat.ended_at = status, timezone.now()
    message = _message_add(chat=chat, author=Author.system(), body=note)
    chat.save(update_fields=["status", "ended_at", "last_message_at", "ticket"])
    _broadcast(chat, {"type": "chat.message", "message": message_data(message)}, preview=note)
    _broadcast_status(chat)


def _open_chat_locked(chat: Chat) -> Chat:
    chat = Chat.objects.select_for_update(of=("self",)).select_related("company", "ticket").get(pk=chat.pk)
    if not chat.is_open:
        raise ApplicationError(_("This chat has ended."), code="chat_ended")
    return chat


@transaction.atomic
def chat_close(*, chat: Chat, author: Author) -> Chat:
    chat = _open_chat_locked(chat)
    _end(chat=chat, status=ChatStatus.CLOSED, note=_("%(name)s ended the chat.") % {"name": author.name})
    return chat


@transaction.atomic
def chat_convert(*, chat: Chat) -> Ticket:
    """Open a ticket with the chat's transcript for its requester; the chat says so, with
    the ticket's number and link."""
    chat = _open_chat_locked(chat)
    return _convert(chat)


def _convert(chat: Chat) -> Ticket:
    messages = list(chat.messages.order_by("created_at", "pk"))
    first = next((m.body for m in messages if m.author_kind == AuthorKind.REQUESTER), "")
    ticket = ticket_open(
        company=chat.company,
        requester=Requester(
            user_id=chat.requester_user_id, email=chat.requester_email, name=chat.requester_name
        ),
        subject=_subject(first),
        body=transcript(messages),
        category=TicketCategory.QUESTION,
        source=TicketSource.CHAT,
    )
    chat.ticket = ticket
    note = _("This conversation became ticket %(number)s; we will answer you there.") % {
        "number": ticket.number
    }
    _end(chat=chat, status=ChatStatus.CONVERTED, note=note)
    return ticket


def _subject(first_message: str) -> str:
    text = " ".join(first_message.split())
    if len(text) > SUBJECT_LENGTH:
        text = text[: SUBJECT_LENGTH - 1].rstrip() + "…"
    return _("Live chat: %(text)s") % {"text": text or _("no message")}


def transcript(messages) -> str:
    """The conversation as a ticket's first message: one paragraph per message; the
    latest part is kept when it is longer than a ticket message holds."""
    lines = [
        f"[{formats.date_format(timezone.localtime(m.created_at), 'SHORT_DATETIME_FORMAT')}] "
        f"{m.author_name or m.get_author_kind_display()}: {m.body}"
        for m in messages
    ]
    text = "\n\n".join(lines) or _("(no messages)")
    if len(text) > TRANSCRIPT_MAX_LENGTH:
        text = "…\n\n" + text[-TRANSCRIPT_MAX_LENGTH:]
    return text


def chats_unanswered_convert(*, now: datetime | None = None) -> list[Ticket]:
    """Every waiting chat nobody from support answered within the wait becomes a ticket.
    Each chat in its own transaction, locked (a staff answer at the same moment wins);
    safe to run twice."""
    deadline = (now or timezone.now()) - timedelta(minutes=system_settings().support_chat_wait_minutes)
    tickets = []
    for pk in Chat.objects.unanswered_since(deadline).values_list("pk", flat=True):
        with transaction.atomic():
            chat = (
                Chat.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("company", "ticket")
                .unanswered_since(deadline)
                .filter(pk=pk)
                .first()
            )
            if chat is not None:
                tickets.append(_convert(chat))
    return tickets
