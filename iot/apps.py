from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IotConfig(AppConfig):
    """IoT devices of a company (scales, moisture meters, PLCs) and their readings, in the
    company's schema; ingested over REST, CSV files, RS232 serial and MQTT."""

    name = "iot"
    label = "iot"
    verbose_name = _("IoT devices")

    def ready(self):
        # Registered at start-up, so services send it by name without importing it.
        from . import tasks  # noqa: F401
