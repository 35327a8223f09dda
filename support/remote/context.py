"""The support banner's data on every page of a company site: the support session itself
(set by the middleware, no query), or for a company administrator the accesses support
has right now (one query of the public schema, only for administrators)."""

from django.utils.functional import SimpleLazyObject

from triboka.accounts.models import Role

from .selectors import grants_active_for_company


def support_session(request) -> dict:
    company = getattr(request, "company", None)
    if company is None:
        return {}
    grant = getattr(request, "support_grant", None)
    if grant is not None:
        return {"support_session": grant}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role != Role.ADMIN:
        return {}
    return {"support_grants_active": SimpleLazyObject(lambda: grants_active_for_company(company=company))}
