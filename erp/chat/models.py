from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from erp.contracts.models import Contract
from erp.documents.models import Document


class ChatRoom(models.Model):
    """The chat of one contract (made when first used)."""

    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="chat_room")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chat room")
        verbose_name_plural = _("chat rooms")

    def __str__(self):
        return str(self.contract)


class ChatMessage(models.Model):
    room = models.ForeignKey(ChatRoom, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("text"), blank=True)
    attachment = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["id"]
        indexes = [models.Index(fields=["room", "id"])]

    def __str__(self):
        return self.text[:60]


class ChatReadMark(models.Model):
    """How far a user has read a room: the last message id seen (read receipts, unread counts)."""

    room = models.ForeignKey(ChatRoom, on_delete=models.CASCADE, related_name="read_marks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_id = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="chat_read_mark_once")]

    def __str__(self):
        return f"{self.user_id} read {self.room_id} up to {self.last_read_id}"
