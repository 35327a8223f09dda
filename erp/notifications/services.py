"""Notifications: stored and pushed live (in-app), e-mailed (a Celery task, off the request
path), pushed to phones through FCM when configured. Each user chooses per kind and channel;
without a choice every channel is on.

Each recipient's text is written in their own language. Deliveries start after the
transaction commits, so nobody is told about something that was rolled back.
"""

import uuid

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation

from .models import Channel, Notification, NotificationKind, NotificationPreference
from .push import push_to_user


def push_enabled() -> bool:
    """FCM needs the platform's service-account credentials; without them push is off."""
    return bool(settings.FCM_CREDENTIALS_FILE)


def preferences_of(user) -> dict[tuple[str, str], bool]:
    chosen = {(p.kind, p.channel): p.enabled for p in NotificationPreference.objects.filter(user=user)}
    return {
        (kind, channel): chosen.get((kind, channel), True) for kind in NotificationKind for channel in Channel
    }


def preferences_set(*, user, choices: dict[tuple[str, str], bool]) -> None:
    for (kind, channel), enabled in choices.items():
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, channel=channel, defaults={"enabled": enabled}
        )


def _refused(users, kind: str, channel: str) -> set[int]:
    return set(
        NotificationPreference.objects.filter(
            user__in=users, kind=kind, channel=channel, enabled=False
        ).values_list("user_id", flat=True)
    )


def notify(*, users, kind: str, describe, url: str = "") -> list[Notification]:
    """Tell ``users`` about something; ``describe()`` returns (title, body) and is called in
    each recipient's language."""
    users = list(users)
    if not users:
        return []
    schema = connection.schema_name
    texts = {}
    for user in users:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            texts[user.pk] = tuple(str(part) for part in describe())
    no_app, no_mail = _refused(users, kind, Channel.IN_APP), _refused(users, kind, Channel.EMAIL)
    created = Notification.objects.bulk_create(
        [
            Notification(user=u, kind=kind, title=texts[u.pk][0][:200], body=texts[u.pk][1], url=url)
            for u in users
            if u.pk not in no_app
        ]
    )
    mails = [(u.pk, *texts[u.pk]) for u in users if u.pk not in no_mail]

    def push():
        for note in created:
            push_to_user(schema_name=schema, user_id=note.user_id, payload=notification_data(note))

    def queue_mails():
        from .tasks import notification_email_send

        for user_id, title, body in mails:
            notification_email_send.delay(user_id, title, body, url, str(uuid.uuid4()))

    # robust: with Redis down the notifications are stored all the same (and listed by the
    # API and the bell); only the live push or the queued e-mails are missed, and logged.
    transaction.on_commit(push, robust=True)
    transaction.on_commit(queue_mails, robust=True)
    return created


def notification_data(note: Notification) -> dict:
    return {
        "id": note.pk,
        "kind": note.kind,
        "title": note.title,
        "body": note.body,
        "url": note.url,
        "created_at": note.created_at.isoformat() if note.created_at else None,
        "read": note.read_at is not None,
    }


def notifications_mark_read(*, user, ids=None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
