"""Support sessions on a company site: every request checked against its grant, audited,
and refused where support may never go.

A support session is a session whose data holds the grant it was started with
(``services.SESSION_GRANT_KEY``). Each of its requests reads the grant (one small query
of the public schema; other requests pay nothing, not even a session read when there is
no session cookie):

* a grant ended by the company or past its window logs the session out and answers 403
  (its end recorded once, SUPPORT_ACCESS_ENDED);
* what support may never do answers 403 and is recorded (SUPPORT_SESSION_REFUSED):
  passwords (changing, resetting, setting), signing in as someone else or getting API
  tokens, users and roles (writes to the users pages and the users API, the profile),
  webhooks (they would send the company's data after the window), access grants (support
  cannot extend its own), the company's Django Admin, and anything about the license;
* anything else goes ahead and is recorded with its status (SUPPORT_SESSION_REQUEST).
"""

import re

from django.contrib.auth import logout
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from triboka.audit.models import AuditAction
from triboka.audit.services import audit_record

from .models import EndReason, RemoteAccessGrant
from .services import SESSION_GRANT_KEY, remote_access_end

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PATH_MAX_LENGTH = 500
NEVER = re.compile(
    r"^/(accounts/(password|set-password)/|api/v1/auth/(login|refresh)/|api-auth/login/|admin/|api/master/)"
    r"|licen[cs]",
    re.IGNORECASE,
)
NEVER_WRITE = re.compile(
    r"^/(accounts/login/|users/|profile/|api/v1/(users|me|webhooks|webhook-deliveries)/?|support/remote/)"
)


def refused_in_support_session(method: str, path: str) -> bool:
    return bool(NEVER.search(path)) or (method not in SAFE_METHODS and bool(NEVER_WRITE.match(path)))


class SupportSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        company = getattr(request, "company", None)
        session = getattr(request, "session", None)
        grant_id = session.get(SESSION_GRANT_KEY) if company is not None and session is not None else None
        if grant_id is None:
            return self.get_response(request)
        grant = RemoteAccessGrant.objects.filter(pk=grant_id, company=company).first()
        if grant is None or not grant.is_active():
            return self._ended(request, grant)
        request.support_grant = grant
        if refused_in_support_session(request.method, request.path):
            self._record(AuditAction.SUPPORT_SESSION_REFUSED, request, grant, status=403)
            return _refusal(
                request,
                _(
                    "A support session cannot do this: passwords, users and roles, the license and "
                    "the company's administration stay with the company."
                ),
                "support_session_refused",
            )
        response = self.get_response(request)
        self._record(AuditAction.SUPPORT_SESSION_REQUEST, request, grant, status=response.status_code)
        return response

    def _ended(self, request, grant):
        if grant is not None and grant.ended_at is None:  # its window is over: recorded once
            remote_access_end(grant=grant, reason=EndReason.EXPIRED)
        logout(request)
        return _refusal(
            request,
            _("This support session has ended: the company's access for Triboka support is over."),
            "support_session_ended",
        )

    @staticmethod
    def _record(action, request, grant, *, status: int) -> None:
        audit_record(
            action=action,
            target=grant,
            object_repr=f"{grant.staff_name} <{grant.staff_email}>",
            company=request.company,
            after={
                "method": request.method,
                "path": request.get_full_path()[:PATH_MAX_LENGTH],
                "status": status,
                "staff": grant.staff_email,
            },
        )


def _refusal(request, message: str, code: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": code}, status=403)
    body = render_to_string("support/remote/refused.html", {"message": message}, request=None)
    return HttpResponse(body, status=403)
