from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveChatConfig(AppConfig):
    name = "support.livechat"
    label = "support_livechat"
    verbose_name = _("Live support chat")
