"""One limit on login attempts for the API and the HTML forms (pages and admin)."""

from math import ceil

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle


class LoginThrottle(SimpleRateThrottle):
    """Password guessing is slowed per client address and site (LOGIN_THROTTLE_RATE); the
    cache key carries the schema through the tenant-aware key function."""

    scope = "login"

    def get_rate(self):
        return settings.LOGIN_THROTTLE_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def login_attempt_check(request) -> None:
    """Count one attempt; a ValidationError once this address has made too many."""
    throttle = LoginThrottle()
    if not throttle.allow_request(request, None):
        seconds = ceil(throttle.wait() or 1)
        raise ValidationError(
            _("Too many login attempts. Try again in %(seconds)d seconds.") % {"seconds": seconds},
            code="throttled",
        )
