"""Request middleware: company routing by host, and the user's language."""

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import set_urlconf
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from master.companies.routing import host_without_port, route_for_host, schema_activate
from master.licensing.enforcement import license_refusal


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _hostname(request) -> str:
    return host_without_port(request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", ""))


class CompanyRoutingMiddleware:
    """Host -> schema and URLconf, before anything else touches the database.

    The root domain serves the master panel (public schema); ``<slug>.<BASE_DOMAIN>`` and
    a company's custom domains serve its ERP. Unknown hosts get a plain 404, suspended
    companies a 403 page (JSON under /api/), and nothing of any company's data.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        route = route_for_host(_hostname(request))
        if route is None:
            schema_activate(None)
            return self._refuse(
                request,
                404,
                "tenancy/unknown_host.html",
                _("There is no Triboka site at this address."),
                "unknown_host",
            )
        company = route.company
        if company is not None and company.is_suspended:
            schema_activate(None)
            return self._refuse(
                request,
                403,
                "tenancy/suspended.html",
                _("This company's account is suspended. Please contact Triboka support."),
                "company_suspended",
                company=company,
            )
        if company is not None:
            refusal = self._license_refusal(request, route)
            if refusal is not None:
                schema_activate(None)
                return self._refuse(
                    request,
                    refusal.status,
                    "tenancy/license.html",
                    refusal.message,
                    refusal.code,
                    company=company,
                )
        schema_activate(company)
        request.company = company
        request.license = route.license  # its terms, for pages that show only what it covers
        request.tenant = connection.tenant  # django-tenants' templates read it, on the root too
        request.urlconf = settings.PUBLIC_SCHEMA_URLCONF if route.is_root else settings.ROOT_URLCONF
        set_urlconf(request.urlconf)
        return self.get_response(request)

    @staticmethod
    def _license_refusal(request, route):
        """The license's refusal, if any; its message in the request's language (worked out
        only when refusing, off the path of the requests that go ahead)."""

        def decide():
            return license_refusal(
                route.license, path=request.path, method=request.method, today=timezone.localdate()
            )

        if decide() is None:
            return None
        with translation.override(translation.get_language_from_request(request)):
            return decide()

    def _refuse(self, request, status, template, message, code, **context):
        with translation.override(translation.get_language_from_request(request)):
            if _is_api(request):
                return JsonResponse({"detail": str(message), "code": code}, status=status)
            body = render_to_string(template, {"message": message, **context})
        return HttpResponse(body, status=status)


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over the browser's preference."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
