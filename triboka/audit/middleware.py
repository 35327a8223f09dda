from .context import context_enter, context_exit


class AuditContextMiddleware:
    """Makes the request (its user, address and browser) known to the audit services for
    the time of the request. After the company routing, so the site's schema is set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context_enter(request)
        try:
            return self.get_response(request)
        finally:
            context_exit(token)
