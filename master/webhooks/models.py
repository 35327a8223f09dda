import secrets

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    """What a subscription can listen to; the value is the ``event`` of the payload."""

    COMPANY_CREATED = "company.created", _("Company created")
    COMPANY_SUSPENDED = "company.suspended", _("Company suspended")
    COMPANY_REACTIVATED = "company.reactivated", _("Company reactivated")
    LICENSE_EXPIRING = "license.expiring", _("License expiring")
    LICENSE_EXPIRED = "license.expired", _("License expired")
    INVOICE_PAID = "invoice.paid", _("Invoice paid")
    CONTRACT_STATUS_CHANGED = "contract.status_changed", _("Contract status changed")
    DOCUMENT_UPLOADED = "document.uploaded", _("Document uploaded")
    # Sent on request to one subscription to try its endpoint; nobody subscribes to it.
    PING = "ping", _("Test ping")


def subscribable_events() -> list[str]:
    return [event for event in Event.values if event != Event.PING]


def secret_generate() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


class Subscription(models.Model):
    """An endpoint that receives some events: of one company, or of every company when
    ``company`` is empty (platform-wide, set up by Triboka staff).

    The secret signs every delivery, so it is stored as it is (it cannot be hashed); it is
    shown once, when created or rotated."""

    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_subscriptions",
        verbose_name=_("company"),
        help_text=_("Empty: events of every company."),
    )
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(_("signing secret"), max_length=100, default=secret_generate, editable=False)
    owner_email = models.EmailField(
        _("owner's e-mail"), help_text=_("Told when the subscription is disabled after repeated failures.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(_("why it was disabled"), max_length=300, blank=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failed deliveries in a row"), default=0)
    created_by = models.CharField(_("created by"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["company", "is_active"])]

    def __str__(self):
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One event sent to one subscription: the exact payload, and how its attempts went.

    ``next_attempt_at`` is when the next attempt is due; while an attempt runs it is pushed
    past the attempt's timeout, so a duplicate task finds nothing to do."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("subscription")
    )
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company"),
    )
    company_slug = models.CharField(_("subdomain"), max_length=63, blank=True)
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    event_id = models.UUIDField(_("event id"), db_index=True)
    payload = models.JSONField(_("payload"), encoder=DjangoJSONEncoder)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("most attempts"))
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    response_excerpt = models.TextField(_("response (start)"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["subscription", "-created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self):
        return f"{self.event} → {self.subscription_id} ({self.status})"
