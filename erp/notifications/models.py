from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    DOCUMENT_UPLOADED = "document_uploaded", _("A document was uploaded to a contract")
    CONTRACT_STATUS = "contract_status", _("A contract changed status")
    CHAT_MESSAGE = "chat_message", _("A new chat message while you were away")
    LOT_REJECTED = "lot_rejected", _("A lot was rejected")
    LOT_MOISTURE_HIGH = "lot_moisture_high", _("A device measured a lot above the moisture limit")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the application")
    EMAIL = "email", _("E-mail")
    PUSH = "push", _("Push to the phone app")


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.title


class NotificationPreference(models.Model):
    """A user's choice for one kind on one channel; without a row the default applies."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    enabled = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="one_choice_per_channel")
        ]

    def __str__(self):
        return f"{self.kind}/{self.channel}: {self.enabled}"


class Device(models.Model):
    """A phone app's Firebase Cloud Messaging registration token."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices")
    token = models.CharField(max_length=400, unique=True)
    platform = models.CharField(
        max_length=16, choices=[("android", "Android"), ("ios", "iOS"), ("web", "Web")]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.platform} of {self.user_id}"
