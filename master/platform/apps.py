from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformConfig(AppConfig):
    name = "master.platform"
    label = "platform"
    verbose_name = _("System settings")

    def ready(self):
        from . import signals  # noqa: F401  (clears the cached settings on every save)
