from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    name = "master.licensing"
    label = "licensing"
    verbose_name = _("Licenses")

    def ready(self):
        """An on-premise installation (TRIBOKA_LICENSE_FILE) verifies its license file before
        anything serves: every process (daphne, workers, manage.py) refuses to start with a
        file that is altered, signed by another key, unreadable or expired."""
        from django.core.checks import Tags, register

        from .files import license_file_company_check, license_file_startup_check

        license_file_startup_check()
        register(license_file_company_check, Tags.database)
