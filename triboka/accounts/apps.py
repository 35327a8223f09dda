from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "triboka.accounts"
    label = "accounts"
    verbose_name = _("Users")

    def ready(self):
        from triboka import checks  # noqa: F401  (deploy checks)

        from . import schema  # noqa: F401  (registers the OpenAPI auth extension)
