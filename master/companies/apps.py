from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompaniesConfig(AppConfig):
    """Client companies (the django-tenants tenant model), their domains and user directory.

    ARCHITECTURE.md names the models ``master.Company``/``master.Domain``; they live in the
    ``master.companies`` app (label ``companies``) so that every bounded area of the master
    panel is its own app, as STYLE.md asks.
    """

    name = "master.companies"
    label = "companies"
    verbose_name = _("Companies")

    def ready(self):
        from . import signals  # noqa: F401  (routing cache invalidation)
