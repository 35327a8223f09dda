"""System checks for what Django's own deploy checks cannot know about."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def development_secret_key_check(app_configs, **kwargs):
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        return [
            Warning(
                "DJANGO_SECRET_KEY is not set: the development key is in use.",
                hint="Set DJANGO_SECRET_KEY to a long random value (see .env.example).",
                id="triboka.W001",
            )
        ]
    return []


@register()
def push_channel_check(app_configs, **kwargs):
    """Push notifications say at start-up that they are off, and why: never a silent no-op."""
    from django.core.checks import Info

    if not settings.FCM_CREDENTIALS_FILE:
        reason = "FCM_CREDENTIALS_FILE is not set"
    else:
        reason = "sending through FCM is not built yet; the credentials are not used"
    return [
        Info(
            f"Push notifications are off: {reason}. In-app and e-mail notifications work; "
            "devices can still register.",
            id="triboka.I001",
        )
    ]
