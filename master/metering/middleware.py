"""Counts every company API request and enforces the license's monthly API-call limit.

Placed right after the company routing middleware (triboka/settings.py MIDDLEWARE), so it
knows the company and its license terms from the cached route: no database query per request.
"""

import time

from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from .quota import api_call_admit
from .recorder import request_record, route_pattern

# The API's documentation is not an API call.
NOT_COUNTED_AGAINST_LIMIT = ("/api/schema/", "/api/docs/", "/api/redoc/")


class ApiMeteringMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        company = getattr(request, "company", None)
        if company is None or not request.path.startswith("/api/"):
            return self.get_response(request)
        started = time.perf_counter()
        decision = self._admit(request)
        if decision is not None and not decision.allowed:
            response = self._refuse(request, decision)
        else:
            response = self.get_response(request)
        if decision is not None:
            response["X-RateLimit-Limit"] = str(decision.limit)
            response["X-RateLimit-Remaining"] = str(decision.remaining)
        request_record(
            company_id=company.pk,
            method=request.method,
            route=route_pattern(getattr(request, "resolver_match", None)),
            status=response.status_code,
            bytes_out=_bytes_out(response),
            latency_ms=round((time.perf_counter() - started) * 1000),
            now=time.time(),
        )
        return response

    @staticmethod
    def _admit(request):
        terms = getattr(request, "license", None)
        limit = terms.max_api_calls_month if terms is not None else None
        if limit is None or request.path.startswith(NOT_COUNTED_AGAINST_LIMIT):
            return None
        return api_call_admit(request.company.pk, limit)

    @staticmethod
    def _refuse(request, decision):
        with translation.override(translation.get_language_from_request(request)):
            message = _(
                "This company has used the %(limit)s API calls of its license this month. "
                "The count starts again next month; contact Triboka support to raise the limit."
            ) % {"limit": decision.limit}
        response = JsonResponse({"detail": message, "code": "api_call_limit_reached"}, status=429)
        response["Retry-After"] = str(decision.retry_after)
        return response


def _bytes_out(response) -> int:
    if response.streaming:
        return int(response.get("Content-Length") or 0)
    return len(response.content)
