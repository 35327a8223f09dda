from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "triboka.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self):
        from . import signals  # noqa: F401  (sign-ins and failed sign-ins)
