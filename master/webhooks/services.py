"""Webhooks: subscriptions, events published to them, and each delivery's attempts.

``event_publish`` is called by the code where something happens (companies, contracts,
documents, billing; see events.py). It writes one ``Delivery`` per subscription that
listens, in the caller's transaction, and queues a Celery task for each once that
transaction commits. The task makes one attempt (``delivery_attempt``): a signed POST; a
2xx answer is a success, anything else is tried again after an exponentially growing delay
until WEBHOOK_MAX_ATTEMPTS, then the delivery is failed. WEBHOOK_DISABLE_AFTER failed
deliveries in a row disable the subscription and its owner (and, for a company's
subscription, the company's admins) is e-mailed; a success resets the count.

Deliveries are at least once: a receiver tells repeats apart by the payload's ``id``.
"""

import json
import logging
import uuid
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from master.companies.models import Company, UserDirectoryEntry
from triboka.accounts.models import Role

from . import sending
from .models import Delivery, DeliveryStatus, Event, Subscription, secret_generate, subscribable_events

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = ("url", "events", "description", "owner_email")
MAX_SUBSCRIPTIONS_PER_COMPANY = 20
# Longest wait between two attempts: a task waiting longer than the broker's visibility
# timeout (CELERY_VISIBILITY_TIMEOUT, 1 h by default) would be handed out twice.
MAX_RETRY_DELAY_SECONDS = 3600
# A pending delivery this late has lost its task (broker down when it was queued, worker
# killed during an attempt): webhooks_housekeeping queues it again.
STALE_AFTER = timedelta(minutes=10)


# --- subscriptions --------------------------------------------------------------------


def _validated(subscription: Subscription) -> Subscription:
    errors = {}
    try:
        subscription.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    if "url" not in errors:
        try:
            sending.url_check(subscription.url)
        except ValidationError as error:
            errors["url"] = error.messages
    events = subscription.events
    if not isinstance(events, list) or not events or any(e not in subscribable_events() for e in events):
        errors["events"] = [
            _("Choose one or more of: %(events)s.") % {"events": ", ".join(subscribable_events())}
        ]
    elif len(set(events)) != len(events):
        errors["events"] = [_("Each event once.")]
    if errors:
        raise ValidationError(errors)
    return subscription


def company_subscriptions_limit_check(company: Company) -> None:
    """Each subscription multiplies every event's deliveries: a company has a few at most."""
    if company.webhook_subscriptions.count() >= MAX_SUBSCRIPTIONS_PER_COMPANY:
        raise ValidationError(
            _("A company can have at most %(count)d webhook subscriptions.")
            % {"count": MAX_SUBSCRIPTIONS_PER_COMPANY}
        )


def subscription_create(
    *,
    company: Company | None,
    url: str,
    events: list[str],
    owner_email: str,
    description: str = "",
    created_by: str = "",
) -> Subscription:
    """A subscription of one company (or of every company, with ``company=None``); its
    ``secret`` is readable on the returned object, to be shown once."""
    if company is not None:
        company_subscriptions_limit_check(company)
    subscription = Subscription(
        company=company,
        url=url.strip(),
        events=events,
        owner_email=owner_email.strip().lower(),
        description=description.strip(),
        created_by=created_by,
    )
    _validated(subscription).save()
    return subscription


def subscription_update(*, subscription: Subscription, **changes) -> Subscription:
    """Edit the URL, events, description or owner; the company never changes."""
    errors = {}
    if "company" in changes and changes.pop("company") != subscription.company:
        errors["company"] = [_("The company of a subscription cannot be changed.")]
    for field in set(changes) - set(EDITABLE_FIELDS):
        errors[field] = [_("This field cannot be changed.")]
    if errors:
        raise ValidationError(errors)
    for field, value in changes.items():
        setattr(subscription, field, value.strip() if isinstance(value, str) else value)
    _validated(subscription).save(update_fields=[*changes, "updated_at"])
    return subscription


def subscription_delete(*, subscription: Subscription) -> None:
    """The subscription and its delivery log go; tasks still queued find nothing to send."""
    subscription.delete()


def subscription_secret_rotate(*, subscription: Subscription) -> Subscription:
    """A new signing secret (shown once); deliveries from now on are signed with it."""
    subscription.secret = secret_generate()
    subscription.save(update_fields=["secret", "updated_at"])
    return subscription


def subscription_enable(*, subscription: Subscription) -> Subscription:
    """Active again, with its failure count back to zero."""
    subscription.is_active = True
    subscription.consecutive_failures = 0
    subscription.disabled_reason = ""
    subscription.disabled_at = None
    subscription.save(
        update_fields=["is_active", "consecutive_failures", "disabled_reason", "disabled_at", "updated_at"]
    )
    return subscription


def subscription_disable(*, subscription: Subscription, reason: str = "") -> Subscription:
    subscription.is_active = False
    subscription.disabled_reason = (reason or _("Disabled by hand."))[:300]
    subscription.disabled_at = timezone.now()
    subscription.save(update_fields=["is_active", "disabled_reason", "disabled_at", "updated_at"])
    return subscription


def subscription_ping(*, subscription: Subscription) -> Delivery:
    """One ``ping`` to this subscription, also when it is disabled (to check the endpoint
    before enabling it again); tried once, and its outcome does not count as a failure."""
    payload = _payload(Event.PING, uuid.uuid4(), subscription.company, {"subscription": subscription.pk})
    delivery = Delivery.objects.create(
        subscription=subscription,
        company=subscription.company,
        company_slug=subscription.company.slug if subscription.company else "",
        event=Event.PING,
        event_id=payload["id"],
        payload=payload,
        max_attempts=1,
        next_attempt_at=timezone.now(),
    )
    _queue_on_commit([delivery.pk])
    return delivery


# --- events ---------------------------------------------------------------------------


def _listeners(event: str, company: Company | None):
    scope = Q(company__isnull=True) | Q(company=company) if company is not None else Q(company__isnull=True)
    return Subscription.objects.filter(scope, is_active=True, events__contains=[event]).only("pk")


def _payload(event: str, event_id: uuid.UUID, company: Company | None, data: dict) -> dict:
    body = {
        "id": str(event_id),
        "event": str(event),
        "created_at": timezone.now().isoformat(),
        "company": {"id": company.pk, "slug": company.slug, "name": company.name} if company else None,
        "data": data,
    }
    return json.loads(json.dumps(body, cls=DjangoJSONEncoder))  # what the receiver will read


def event_publish(event: str, *, company: Company | None, data: dict) -> list[Delivery]:
    """Send ``event`` of ``company`` to its active subscriptions and the platform-wide
    ones that listen to it (``company=None``: the platform-wide ones only).

    One query when nobody listens. Works from a company's schema too: the subscriptions
    and deliveries are public tables, on every company's search path."""
    listeners = list(_listeners(event, company))
    if not listeners:
        return []
    event_id = uuid.uuid4()
    payload = _payload(event, event_id, company, data)
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            subscription_id=listener.pk,
            company=company,
            company_slug=company.slug if company else "",
            event=event,
            event_id=event_id,
            payload=payload,
            max_attempts=settings.WEBHOOK_MAX_ATTEMPTS,
            next_attempt_at=now,
        )
        for listener in listeners
    )
    _queue_on_commit([delivery.pk for delivery in deliveries])
    return deliveries


def tenant_event_publish(event: str, *, data: dict) -> list[Delivery]:
    """``event_publish`` for the company whose schema is active (the ERP's services).
    Outside a company's schema (public, the template) there is no company: nothing is sent."""
    tenant = connection.tenant
    if not isinstance(tenant, Company):
        return []
    return event_publish(event, company=tenant, data=data)


def _queue_on_commit(delivery_ids: list[int]) -> None:
    transaction.on_commit(partial(deliveries_queue, delivery_ids, attempt_of=dict.fromkeys(delivery_ids, 1)))


def deliveries_queue(delivery_ids: list[int], *, attempt_of: dict[int, int]) -> int:
    """One task per delivery, run in the public schema whichever schema the caller is in.
    A delivery that cannot be queued (broker down) stays pending for the housekeeping."""
    from .tasks import delivery_send

    queued = 0
    with schema_context(get_public_schema_name()):
        for delivery_id in delivery_ids:
            try:
                delivery_send.delay(delivery_id, attempt_of[delivery_id])
            except Exception:
                logger.exception("Could not queue webhook delivery %s", delivery_id)
            else:
                queued += 1
    return queued


# --- attempts -------------------------------------------------------------------------


def retry_delay(attempt: int) -> float:
    """Seconds to wait after failed attempt number ``attempt``: base, 2 x base, 4 x base..."""
    return min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1), MAX_RETRY_DELAY_SECONDS)


def _claim(delivery_id: int, attempt: int) -> Delivery | None:
    """The delivery, if attempt number ``attempt`` is the one due; a duplicate or late task
    (the attempt already made, or the delivery finished or deleted) gets None."""
    now = timezone.now()
    lease = now + timedelta(seconds=3 * settings.WEBHOOK_TIMEOUT_SECONDS)
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, attempts=attempt - 1
    ).update(attempts=attempt, last_attempt_at=now, next_attempt_at=lease)
    if not claimed:
        return None
    return Delivery.objects.select_related("subscription").filter(pk=delivery_id).first()


def _request(delivery: Delivery) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    headers = {
        sending.SIGNATURE_HEADER: sending.signature_header(
            delivery.subscription.secret, int(timezone.now().timestamp()), body
        ),
        "Triboka-Event": delivery.event,
        "Triboka-Delivery": str(delivery.pk),
    }
    return body, headers


def delivery_attempt(*, delivery_id: int, attempt: int) -> float | None:
    """Make attempt number ``attempt`` of a delivery. Returns the seconds to wait before
    the next attempt when this one failed and attempts remain; None otherwise."""
    delivery = _claim(delivery_id, attempt)
    if delivery is None:
        return None
    subscription = delivery.subscription
    if not subscription.is_active and delivery.event != Event.PING:
        _finish(delivery, DeliveryStatus.FAILED, sending.Outcome(error=_("The subscription is disabled.")))
        return None
    body, headers = _request(delivery)
    outcome = sending.post(subscription.url, body, headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    counts = delivery.event != Event.PING
    if outcome.ok:
        _finish(delivery, DeliveryStatus.SUCCEEDED, outcome)
        if counts:
            Subscription.objects.filter(pk=subscription.pk, consecutive_failures__gt=0).update(
                consecutive_failures=0
            )
        return None
    if attempt < delivery.max_attempts:
        delay = retry_delay(attempt)
        _record(delivery, outcome, next_attempt_at=timezone.now() + timedelta(seconds=delay))
        return delay
    _finish(delivery, DeliveryStatus.FAILED, outcome)
    if counts:
        _failure_count(subscription)
    return None


def _record(delivery: Delivery, outcome: sending.Outcome, *, next_attempt_at=None) -> None:
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error or (
        "" if outcome.ok else _("The endpoint answered HTTP %(status)s.") % {"status": outcome.status_code}
    )
    delivery.response_excerpt = outcome.excerpt
    delivery.duration_ms = outcome.duration_ms
    delivery.next_attempt_at = next_attempt_at
    delivery.save(
        update_fields=[
            "last_status_code",
            "last_error",
            "response_excerpt",
            "duration_ms",
            "next_attempt_at",
            "status",
            "finished_at",
        ]
    )


def _finish(delivery: Delivery, status: str, outcome: sending.Outcome) -> None:
    delivery.status = status
    delivery.finished_at = timezone.now()
    _record(delivery, outcome)


def _failure_count(subscription: Subscription) -> None:
    """One more failed delivery in a row; at WEBHOOK_DISABLE_AFTER the subscription is
    disabled (once, even with workers racing) and its owner told."""
    Subscription.objects.filter(pk=subscription.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    reason = _("Disabled after %(count)d failed deliveries in a row.") % {
        "count": settings.WEBHOOK_DISABLE_AFTER
    }
    disabled = Subscription.objects.filter(
        pk=subscription.pk, is_active=True, consecutive_failures__gte=settings.WEBHOOK_DISABLE_AFTER
    ).update(is_active=False, disabled_reason=reason, disabled_at=timezone.now(), updated_at=timezone.now())
    if disabled:
        subscription.refresh_from_db()
        logger.warning("Webhook subscription %s disabled: %s", subscription.pk, reason)
        transaction.on_commit(partial(_disabled_notice_send, subscription), robust=True)


def _notice_recipients(subscription: Subscription) -> list[str]:
    recipients = [subscription.owner_email]
    if subscription.company_id is not None:
        recipients += UserDirectoryEntry.objects.filter(
            company_id=subscription.company_id, role=Role.ADMIN, is_active=True
        ).values_list("email", flat=True)
    return list(dict.fromkeys(email.lower() for email in recipients if email))


def _disabled_notice_send(subscription: Subscription) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Webhook disabled: %(url)s") % {"url": subscription.url}
        body = render_to_string(
            "webhooks/email/subscription_disabled.txt",
            {"subscription": subscription, "disable_after": settings.WEBHOOK_DISABLE_AFTER},
        )
    mail.send_mass_mail([(subject, body, None, [email]) for email in _notice_recipients(subscription)])


# --- the delivery log -----------------------------------------------------------------


def delivery_redeliver(*, delivery: Delivery) -> Delivery:
    """Send a failed delivery's event again, as a new delivery with the same event id (a
    receiver that did get it the first time knows it by that id)."""
    if delivery.status != DeliveryStatus.FAILED:
        raise ValidationError({"status": _("Only a failed delivery can be sent again.")})
    if not delivery.subscription.is_active:
        raise ValidationError({"subscription": _("Enable the subscription before sending again.")})
    again = Delivery.objects.create(
        subscription=delivery.subscription,
        company=delivery.company,
        company_slug=delivery.company_slug,
        event=delivery.event,
        event_id=delivery.event_id,
        payload=delivery.payload,
        max_attempts=settings.WEBHOOK_MAX_ATTEMPTS if delivery.event != Event.PING else 1,
        next_attempt_at=timezone.now(),
    )
    _queue_on_commit([again.pk])
    return again


def deliveries_requeue_stale(*, now=None) -> int:
    """Queue again the pending deliveries whose task was lost; returns how many."""
    now = now or timezone.now()
    stale = dict(
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lt=now - STALE_AFTER
        ).values_list("pk", "attempts")
    )
    if not stale:
        return 0
    return deliveries_queue(list(stale), attempt_of={pk: attempts + 1 for pk, attempts in stale.items()})


def deliveries_purge(*, now=None) -> int:
    """Forget finished deliveries older than WEBHOOK_DELIVERY_RETENTION_DAYS."""
    before = (now or timezone.now()) - timedelta(days=settings.WEBHOOK_DELIVERY_RETENTION_DAYS)
    deleted, _rows = (
        Delivery.objects.filter(created_at__lt=before).exclude(status=DeliveryStatus.PENDING).delete()
    )
    return deleted
