"""Writes on tickets: opening, replies and notes, status, priority and assignment, reopening,
merging, the satisfaction survey, and closing what was resolved long ago.

Who may call what is decided by the callers (the API and the pages check the user against
``selectors``); these functions keep the ticket's own rules: its status moves, its SLA due
times, its first response, and the e-mails that follow each change (sent on commit).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from master.platform.services import system_settings
from triboka.errors import ApplicationError
from triboka.uploads import upload_check

from . import emails
from .models import (
    AuthorKind,
    SatisfactionResponse,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketSequence,
    TicketSource,
    TicketStatus,
)

NUMBER_PREFIX = "SUP"
MAX_ATTACHMENTS = 5
# Where a status may go when staff set it (the requester only reopens or closes).
STAFF_STATUS_MOVES = {
    TicketStatus.NEW: {TicketStatus.OPEN, TicketStatus.WAITING, TicketStatus.RESOLVED, TicketStatus.CLOSED},
    TicketStatus.OPEN: {TicketStatus.WAITING, TicketStatus.RESOLVED, TicketStatus.CLOSED},
    TicketStatus.WAITING: {TicketStatus.OPEN, TicketStatus.RESOLVED, TicketStatus.CLOSED},
    TicketStatus.RESOLVED: {TicketStatus.OPEN, TicketStatus.CLOSED},
    TicketStatus.CLOSED: {TicketStatus.OPEN},
}


@dataclass(frozen=True)
class Requester:
    """A company user as a ticket remembers them (the user may be deleted later)."""

    user_id: int
    email: str
    name: str

    @classmethod
    def of(cls, user) -> "Requester":
        return cls(user_id=user.pk, email=user.email, name=user.get_full_name() or user.email)


@dataclass(frozen=True)
class Author:
    kind: str
    user_id: int | None
    name: str
    email: str

    @classmethod
    def staff(cls, user) -> "Author":
        return cls(AuthorKind.STAFF, user.pk, user.get_full_name() or user.email, user.email)

    @classmethod
    def requester(cls, user) -> "Author":
        return cls(AuthorKind.REQUESTER, user.pk, user.get_full_name() or user.email, user.email)

    @classmethod
    def system(cls) -> "Author":
        return cls(AuthorKind.SYSTEM, None, "Triboka", "")


def sla_due_times(*, priority: str, created_at: datetime) -> tuple[datetime, datetime]:
    """(first response due, resolution due) for a ticket of ``priority`` opened then."""
    first_hours, resolution_hours = system_settings().sla_hours(priority)
    return created_at + timedelta(hours=first_hours), created_at + timedelta(hours=resolution_hours)


def ticket_number_next() -> str:
    """SUP-<year>-<six digits>, numbered per year without gaps races (one upsert)."""
    year = timezone.localdate().year
    table = connection.ops.quote_name(TicketSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last_number) VALUES (%s, 1) "
            f"ON CONFLICT (year) DO UPDATE SET last_number = {table}.last_number + 1 RETURNING last_number",
            [year],
        )
        number = cursor.fetchone()[0]
    return f"{NUMBER_PREFIX}-{year}-{number:06d}"


@transaction.atomic
def ticket_open(
    *,
    company,
    requester: Requester,
    subject: str,
    body: str,
    category: str,
    priority: str = "normal",
    module: str = "",
    source: str = TicketSource.WEB,
    attachments=(),
) -> Ticket:
    """Open a ticket with its first message; the support address is e-mailed on commit."""
    now = timezone.now()
    ticket = Ticket(
        company=company,
        requester_user_id=requester.user_id,
        requester_email=requester.email,
        requester_name=requester.name[:150],
        subject=(subject or "").strip(),
        category=category,
        priority=priority or "normal",
        module=module or "",
        source=source,
        created_at=now,
        last_message_at=now,
        number="pending",
        first_response_due=now,
        resolution_due=now,
    )
    if ticket.priority in dict(Ticket._meta.get_field("priority").choices):
        ticket.first_response_due, ticket.resolution_due = sla_due_times(
            priority=ticket.priority, created_at=now
        )
    ticket.full_clean(exclude=["number"])
    _body_check(body)
    ticket.number = ticket_number_next()
    ticket.save()
    _message_add(
        ticket=ticket,
        author=Author(AuthorKind.REQUESTER, requester.user_id, requester.name, requester.email)
        if source != TicketSource.STAFF
        else Author.system(),
        body=body,
        attachments=attachments,
    )
    transaction.on_commit(lambda: emails.ticket_opened(ticket), robust=True)
    return ticket


@transaction.atomic
def ticket_reply(
    *,
    ticket: Ticket,
    author: Author,
    body: str,
    internal: bool = False,
    attachments=(),
    status: str | None = None,
) -> TicketMessage:
    """Add a message to the thread. A staff reply is the first response if none came yet,
    moves a new ticket to open (or ``status``) and is e-mailed to the requester; a
    requester's reply to a ticket waiting on them opens it again. Internal notes are for
    staff only and change nothing else."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.merged_into_id:
        raise ApplicationError(
            _("This ticket was merged into %(number)s; write there.") % {"number": ticket.merged_into.number},
            code="ticket_merged",
        )
    is_staff = author.kind == AuthorKind.STAFF
    if internal and not is_staff:
        raise ValidationError({"internal": _("Only Triboka support writes internal notes.")})
    if not is_staff and ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        raise ApplicationError(
            _("This ticket is %(status)s. Reopen it to write again, or open a new one.")
            % {"status": ticket.get_status_display().lower()},
            code="ticket_not_open",
        )
    message = _message_add(
        ticket=ticket, author=author, body=body, attachments=attachments, internal=internal
    )
    if internal:
        return message
    changed = ["last_message_at", "updated_at"]
    ticket.last_message_at = message.created_at
    if is_staff and ticket.first_response_at is None:
        ticket.first_response_at = message.created_at
        changed.append("first_response_at")
    ticket.save(update_fields=changed)
    new_status = status or _status_after_reply(ticket, is_staff)
    if new_status and new_status != ticket.status:
        _status_set(ticket=ticket, status=new_status, notify=False)
    if is_staff:
        transaction.on_commit(lambda: emails.staff_replied(ticket, message), robust=True)
    else:
        transaction.on_commit(lambda: emails.requester_replied(ticket, message), robust=True)
    return message


def _status_after_reply(ticket: Ticket, is_staff: bool) -> str | None:
    if is_staff and ticket.status == TicketStatus.NEW:
        return TicketStatus.OPEN
    if not is_staff and ticket.status == TicketStatus.WAITING:
        return TicketStatus.OPEN
    return None


@transaction.atomic
def ticket_update(*, ticket: Ticket, by_staff: bool, **changes) -> Ticket:
    """Change a ticket's fields. Staff change everything; a requester changes the subject,
    category and module of a ticket still open, and may close it (``status="closed"``) or
    reopen it (``status="open"``, within the reopen window)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    allowed = (
        {"subject", "category", "module", "priority", "status", "assignee"}
        if by_staff
        else {
            "subject",
            "category",
            "module",
            "status",
        }
    )
    refused = set(changes) - allowed
    if refused:
        raise ValidationError({field: _("You cannot change this field.") for field in sorted(refused)})
    status = changes.pop("status", None)
    fields = [name for name, value in changes.items() if getattr(ticket, name) != value]
    for name in fields:
        setattr(ticket, name, changes[name])
    if not by_staff and fields and not ticket.is_open:
        raise ApplicationError(_("A resolved or closed ticket cannot be edited."), code="ticket_not_open")
    if "priority" in fields:
        ticket.first_response_due, ticket.resolution_due = sla_due_times(
            priority=ticket.priority, created_at=ticket.created_at
        )
        fields += ["first_response_due", "resolution_due"]
    if fields:
        ticket.full_clean()
        ticket.save(update_fields=[*fields, "updated_at"])
    if status and status != ticket.status:
        if by_staff:
            ticket_status_set(ticket=ticket, status=status)
        else:
            _requester_status(ticket=ticket, status=status)
    return ticket


def _requester_status(*, ticket: Ticket, status: str) -> None:
    if status == TicketStatus.OPEN:
        ticket_reopen(ticket=ticket)
    elif status == TicketStatus.CLOSED:
        _status_set(ticket=ticket, status=TicketStatus.CLOSED, notify=False)
    else:
        raise ValidationError({"status": _("You can only reopen or close your ticket.")})


@transaction.atomic
def ticket_status_set(*, ticket: Ticket, status: str) -> Ticket:
    """Staff move a ticket (the moves of STAFF_STATUS_MOVES); the requester is e-mailed."""
    if status not in TicketStatus.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    if status not in STAFF_STATUS_MOVES[ticket.status]:
        raise ValidationError(
            {
                "status": _("A ticket that is %(current)s cannot become %(new)s.")
                % {"current": ticket.get_status_display().lower(), "new": TicketStatus(status).label.lower()}
            }
        )
    return _status_set(ticket=ticket, status=status, notify=True)


def _status_set(*, ticket: Ticket, status: str, notify: bool) -> Ticket:
    now = timezone.now()
    previous = ticket.status
    ticket.status = status
    fields = ["status", "updated_at"]
    if status == TicketStatus.RESOLVED:
        ticket.resolved_at, ticket.closed_at = now, None
        fields += ["resolved_at", "closed_at"]
    elif status == TicketStatus.CLOSED:
        ticket.closed_at = now
        ticket.resolved_at = ticket.resolved_at or now
        fields += ["closed_at", "resolved_at"]
    elif previous in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        ticket.resolved_at = ticket.closed_at = None
        ticket.reopened_count += 1
        fields += ["resolved_at", "closed_at", "reopened_count"]
    ticket.save(update_fields=fields)
    if status == TicketStatus.RESOLVED:
        transaction.on_commit(lambda: emails.satisfaction_survey(ticket), robust=True)
    elif notify:
        transaction.on_commit(lambda: emails.status_changed(ticket), robust=True)
    return ticket


@transaction.atomic
def ticket_reopen(*, ticket: Ticket) -> Ticket:
    """The requester reopens a resolved ticket within ``support_reopen_days`` of its
    resolution; after that (or once closed) a new ticket is the way."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status != TicketStatus.RESOLVED:
        raise ApplicationError(_("Only a resolved ticket can be reopened."), code="ticket_not_resolved")
    days = system_settings().support_reopen_days
    if ticket.resolved_at + timedelta(days=days) < timezone.now():
        raise ApplicationError(
            _("This ticket was resolved more than %(days)s days ago; please open a new one.")
            % {"days": days},
            code="reopen_window_over",
        )
    _status_set(ticket=ticket, status=TicketStatus.OPEN, notify=False)
    _message_add(ticket=ticket, author=Author.system(), body=_("The requester reopened the ticket."))
    transaction.on_commit(lambda: emails.ticket_reopened(ticket), robust=True)
    return ticket


@transaction.atomic
def ticket_merge(*, source: Ticket, target: Ticket) -> Ticket:
    """Merge a duplicate into another ticket of the same company: its messages move to the
    target, it is closed and points there; the requester sees where to follow."""
    source, target = (Ticket.objects.select_for_update().get(pk=pk) for pk in (source.pk, target.pk))
    if source.pk == target.pk:
        raise ValidationError({"into": _("A ticket cannot be merged into itself.")})
    if source.company_id != target.company_id:
        raise ValidationError({"into": _("Only tickets of the same company can be merged.")})
    if source.merged_into_id or target.merged_into_id:
        raise ValidationError({"into": _("One of these tickets was already merged.")})
    source.messages.update(ticket=target)
    note = _("Ticket %(source)s («%(subject)s») was merged into this one.") % {
        "source": source.number,
        "subject": source.subject,
    }
    _message_add(ticket=target, author=Author.system(), body=note)
    _message_add(
        ticket=source, author=Author.system(), body=_("Merged into %(target)s.") % {"target": target.number}
    )
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    if source.status != TicketStatus.CLOSED:
        _status_set(ticket=source, status=TicketStatus.CLOSED, notify=False)
    if target.first_response_at is None and source.first_response_at is not None:
        target.first_response_at = source.first_response_at
        target.save(update_fields=["first_response_at", "updated_at"])
    return target


def satisfaction_answer(*, ticket: Ticket, rating, comment: str = "") -> SatisfactionResponse:
    """The requester's 1–5 answer to the survey of a resolved (or closed) ticket; answering
    again replaces the answer."""
    if ticket.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED) or ticket.merged_into_id:
        raise ApplicationError(_("The survey opens once the ticket is resolved."), code="ticket_not_resolved")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")}) from None
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")})
    response, _created = SatisfactionResponse.objects.update_or_create(
        ticket=ticket,
        defaults={"rating": rating, "comment": (comment or "").strip()[:2000], "answered_at": timezone.now()},
    )
    return response


def tickets_close_resolved(*, now: datetime | None = None) -> int:
    """Close the tickets resolved longer ago than the reopen window (a daily task)."""
    now = now or timezone.now()
    limit = now - timedelta(days=system_settings().support_reopen_days)
    return Ticket.objects.filter(status=TicketStatus.RESOLVED, resolved_at__lt=limit).update(
        status=TicketStatus.CLOSED, closed_at=now, updated_at=now
    )


def _body_check(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    if len(body) > 20000:
        raise ValidationError({"body": _("Keep a message under 20,000 characters.")})
    return body


def _message_add(*, ticket: Ticket, author: Author, body: str, attachments=(), internal: bool = False):
    attachments = list(attachments or ())
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError({"files": _("Attach at most %(count)s files.") % {"count": MAX_ATTACHMENTS}})
    checked = [
        upload_check(file, max_mb=settings.SUPPORT_ATTACHMENT_MAX_MB, field="files") for file in attachments
    ]
    message = TicketMessage.objects.create(
        ticket=ticket,
        author_kind=author.kind,
        author_user_id=author.user_id,
        author_name=author.name[:150],
        author_email=author.email,
        body=_body_check(body),
        is_internal=internal,
        created_at=timezone.now(),
    )
    for upload, check in zip(attachments, checked, strict=True):
        _attachment_store(message=message, upload=upload, check=check)
    return message


def _attachment_store(*, message: TicketMessage, upload, check) -> TicketAttachment:
    """Store a checked file under the ticket's folder; the file goes if the row does not."""
    ticket = message.ticket
    path = f"{ticket.company.schema_name}/support/{ticket.number}/{uuid.uuid4().hex}.{check.extension}"
    attachment = TicketAttachment(
        message=message,
        original_name=check.name,
        content_type=check.mime,
        size=check.size,
        sha256=check.sha256,
    )
    storage = attachment._meta.get_field("file").storage
    attachment.file.name = storage.save(path, upload, max_length=300)
    try:
        attachment.save()
    except Exception:
        storage.delete(attachment.file.name)  # no file without its row
        raise
    return attachment
