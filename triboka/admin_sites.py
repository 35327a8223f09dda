"""Two Django Admin sites: the master panel (root domain) and each company's own admin.

The master panel is Django's default ``admin.site`` (third-party apps such as
django-celery-beat register there). A company's admin is a separate site that only
ever registers tenant models, so nothing of the public schema shows on a subdomain.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from triboka.accounts.forms import AdminLoginForm
from triboka.accounts.models import Role

admin.site.site_header = _("Triboka Master")
admin.site.site_title = _("Triboka Master")
admin.site.index_title = _("Platform administration")
admin.site.login_form = AdminLoginForm
admin.site.index_template = "admin/master_index.html"  # the dashboard above the app list


class CompanyAdminSite(admin.AdminSite):
    site_header = _("Triboka: company administration")
    site_title = _("Triboka")
    index_title = _("Your company")
    login_form = AdminLoginForm

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_staff and user.role == Role.ADMIN)

    def each_context(self, request):
        context = super().each_context(request)
        company = getattr(request, "company", None)
        if company is not None:
            context["site_header"] = company.name
        return context


company_admin_site = CompanyAdminSite(name="company_admin")
