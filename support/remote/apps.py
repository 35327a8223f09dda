from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemoteAccessConfig(AppConfig):
    name = "support.remote"
    label = "support_remote"
    verbose_name = _("Remote access by support")
