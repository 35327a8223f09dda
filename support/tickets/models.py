"""Support tickets, in the public schema.

A ticket belongs to a company and names its requester by the user's id in the company's
schema plus a copy of the e-mail and name, not by a foreign key: users live in each
company's schema (a key cannot point there), and the copy survives the user's deletion.

Staff (``assignee``, message authors) are users of the public schema. A company site's
``search_path`` puts the company's own ``accounts_user`` first, so code serving a company
site must never follow ``assignee`` or join users: messages keep the author's name, and the
company side shows that.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from master.licensing.models import Module


class TicketCategory(models.TextChoices):
    BILLING = "billing", _("Billing")
    LICENSE = "license", _("License")
    BUG = "bug", _("Something does not work")
    QUESTION = "question", _("Question")
    DATA = "data", _("Data")
    ACCESS = "access", _("Access and users")


class TicketPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.WAITING)


class TicketSource(models.TextChoices):
    WEB = "web", _("Company site")
    API = "api", _("API")
    CHAT = "chat", _("Live chat")
    STAFF = "staff", _("Opened by staff")


class AuthorKind(models.TextChoices):
    REQUESTER = "requester", _("Company user")
    STAFF = "staff", _("Triboka support")
    SYSTEM = "system", _("System")


class TicketQuerySet(models.QuerySet):
    def of_company(self, company):
        return self.filter(company=company)

    def still_open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def first_response_breached(self, now=None):
        """First response late: answered after its due time, or unanswered and overdue."""
        now = now or timezone.now()
        return self.filter(
            models.Q(first_response_at__gt=models.F("first_response_due"))
            | models.Q(first_response_at__isnull=True, first_response_due__lt=now)
        )

    def resolution_breached(self, now=None):
        now = now or timezone.now()
        return self.filter(
            models.Q(resolved_at__gt=models.F("resolution_due"))
            | models.Q(resolved_at__isnull=True, status__in=OPEN_STATUSES, resolution_due__lt=now)
        )

    def sla_breached(self, now=None):
        return self.first_response_breached(now) | self.resolution_breached(now)


class Ticket(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.CASCADE,
        related_name="support_tickets",
        verbose_name=_("company"),
    )
    requester_user_id = models.PositiveBigIntegerField(_("requester's user id in the company"))
    requester_email = models.EmailField(_("requester's e-mail"))
    requester_name = models.CharField(_("requester's name"), max_length=150, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=TicketCategory.choices)
    priority = models.CharField(
        _("priority"), max_length=8, choices=TicketPriority.choices, default=TicketPriority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=8, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    module = models.CharField(_("module concerned"), max_length=16, choices=Module.choices, blank=True)
    source = models.CharField(
        _("opened from"), max_length=8, choices=TicketSource.choices, default=TicketSource.WEB
    )
    # No database constraint and no cascade: deleting a company user on a company site walks
    # the reverse relations of accounts.User, and would otherwise clear the assignee of the
    # tickets of the staff member who happens to have the same id in the public schema. A
    # deleted staff member leaves a dangling id, which reads as unassigned (LEFT JOIN).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assigned to"),
        limit_choices_to={"is_staff": True},
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    last_message_at = models.DateTimeField(_("last message at"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    first_response_due = models.DateTimeField(_("first response due"))
    resolution_due = models.DateTimeField(_("resolution due"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "status"], name="ticket_company_status"),
            models.Index(fields=["company", "requester_user_id"], name="ticket_company_requester"),
            models.Index(fields=["status", "resolution_due"], name="ticket_status_due"),
            models.Index(fields=["first_response_at"], name="ticket_first_response_at"),
            models.Index(fields=["resolved_at"], name="ticket_resolved_at"),
        ]

    def __str__(self):
        return f"{self.number} · {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def first_response_late(self, now=None) -> bool:
        now = now or timezone.now()
        return (self.first_response_at or now) > self.first_response_due

    def resolution_late(self, now=None) -> bool:
        if self.resolved_at is None and not self.is_open:
            return False
        return (self.resolved_at or now or timezone.now()) > self.resolution_due


class TicketMessage(models.Model):
    """One message of a ticket's thread. Internal notes are for staff only."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(_("author"), max_length=10, choices=AuthorKind.choices)
    author_user_id = models.PositiveBigIntegerField(null=True, blank=True)
    author_name = models.CharField(_("author's name"), max_length=150, blank=True)
    author_email = models.EmailField(_("author's e-mail"), blank=True)
    body = models.TextField(_("message"), max_length=20000)
    is_internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticket_message_thread")]

    def __str__(self):
        return f"{self.ticket.number} · {self.author_name or self.get_author_kind_display()}"


def attachment_storage():
    return storages["support"]


class TicketAttachment(models.Model):
    """A file of a message, stored at ``<company schema>/support/<ticket number>/``."""

    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), storage=attachment_storage, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self):
        return self.original_name


class CannedReply(models.Model):
    """A prepared answer staff insert into a reply and adapt."""

    title = models.CharField(_("title"), max_length=120, unique=True)
    body = models.TextField(_("text"))
    category = models.CharField(_("category"), max_length=16, choices=TicketCategory.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["title"]

    def __str__(self):
        return self.title


class SatisfactionResponse(models.Model):
    """The requester's answer to the one-question survey sent when a ticket is resolved
    (the last answer counts; CSAT is the share of 4 and 5)."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="satisfaction")
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("satisfaction answer")
        verbose_name_plural = _("satisfaction answers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="csat_rating_1_to_5"
            )
        ]

    def __str__(self):
        return f"{self.ticket.number}: {self.rating}/5"


class TicketSequence(models.Model):
    """The last ticket number given in a year (SUP-2026-000123), taken with one upsert."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket numbering")
        verbose_name_plural = _("ticket numbering")

    def __str__(self):
        return f"{self.year}: {self.last_number}"
