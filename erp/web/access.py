"""Who may open a page: the same role sets as the API action behind it.

A page names the API action it mirrors (``role_required(ContractViewSet, "create")``), so the
HTML and the API cannot disagree about a role; row-level scoping comes from the same
selectors (``erp.access``). A refused page raises PermissionDenied: Django answers with the
friendly 403 page.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def roles_of(viewset, action: str) -> frozenset:
    return viewset.action_roles[action]


def role_required(viewset, action: str):
    roles = roles_of(viewset, action)

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = roles  # read by the navigation and by the tests
        return wrapper

    return decorator


def can(user, viewset, action: str) -> bool:
    """For templates: show a button only to those who may press it."""
    return getattr(user, "role", None) in roles_of(viewset, action)


def module_licensed(request, module: str) -> bool:
    """For the parts of a page that belong to a license module (a lot page's sections): shown
    when the company's license includes it, or when the request carries no license (tests
    and scripts that render a page outside the license gate)."""
    license = getattr(request, "license", None)
    return license is None or module in license.modules
