from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessingConfig(AppConfig):
    """Fermentation and drying of lots, with the weight in and out of each step."""

    name = "erp.processing"
    label = "processing"
    verbose_name = _("Processing")
