"""A deploy check: loopback receivers are for development only."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def insecure_localhost_check(app_configs, **kwargs):
    if settings.WEBHOOK_ALLOW_INSECURE_LOCALHOST and not settings.DEBUG:
        return [
            Warning(
                "WEBHOOK_ALLOW_INSECURE_LOCALHOST is on: webhooks may be sent over http to this machine.",
                hint="Unset WEBHOOK_ALLOW_INSECURE_LOCALHOST in production.",
                id="webhooks.W001",
            )
        ]
    return []
