from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "support.knowledge"
    label = "support_knowledge"
    verbose_name = _("Knowledge base")
