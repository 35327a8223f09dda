"""Live support chats, in the public schema.

A chat names its requester (a user of the company's schema) by id plus copies of the
e-mail and name, and the staff member who took it the same way: on a company site the
company's own ``accounts_user`` shadows the public one, and a foreign key to users would
also let Django's deletion collector null a staff reference when a company user with the
same id is deleted there.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from support.tickets.models import AuthorKind


class ChatStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for support")
    ACTIVE = "active", _("Being answered")
    CLOSED = "closed", _("Closed")
    CONVERTED = "converted", _("Turned into a ticket")


OPEN_CHAT_STATUSES = (ChatStatus.WAITING, ChatStatus.ACTIVE)


class ChatQuerySet(models.QuerySet):
    def still_open(self):
        return self.filter(status__in=OPEN_CHAT_STATUSES)

    def of_requester(self, *, company, user_id: int):
        return self.filter(company=company, requester_user_id=user_id)

    def unanswered_since(self, moment):
        """Waiting chats nobody from support answered, started before ``moment``."""
        return self.filter(
            status=ChatStatus.WAITING, first_staff_answer_at__isnull=True, created_at__lt=moment
        )


class Chat(models.Model):
    company = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, related_name="support_chats", verbose_name=_("company")
    )
    requester_user_id = models.PositiveBigIntegerField(_("requester's user id in the company"))
    requester_email = models.EmailField(_("requester's e-mail"))
    requester_name = models.CharField(_("requester's name"), max_length=150, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ChatStatus.choices, default=ChatStatus.WAITING
    )
    created_at = models.DateTimeField(_("started at"), default=timezone.now, db_index=True)
    last_message_at = models.DateTimeField(_("last message at"), null=True, blank=True)
    first_staff_answer_at = models.DateTimeField(_("first answer from support"), null=True, blank=True)
    staff_user_id = models.PositiveBigIntegerField(_("staff member's user id"), null=True, blank=True)
    staff_name = models.CharField(_("answered by"), max_length=150, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ticket = models.ForeignKey(
        "support_tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chats",
        verbose_name=_("ticket"),
    )

    objects = ChatQuerySet.as_manager()

    class Meta:
        verbose_name = _("live chat")
        verbose_name_plural = _("live chats")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="livechat_status_created"),
            models.Index(fields=["company", "requester_user_id", "status"], name="livechat_requester"),
        ]

    def __str__(self):
        return f"#{self.pk} · {self.requester_name or self.requester_email}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CHAT_STATUSES


class ChatMessage(models.Model):
    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(_("author"), max_length=10, choices=AuthorKind.choices)
    author_name = models.CharField(_("author's name"), max_length=150, blank=True)
    body = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["chat", "created_at"], name="livechat_message_thread")]

    def __str__(self):
        return f"#{self.chat_id} · {self.author_name or self.get_author_kind_display()}"
