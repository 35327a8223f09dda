from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    """Quality analyses of lots (cut test, moisture, bean count, INEN 176 grade) and
    certificates of lots and suppliers."""

    name = "erp.quality"
    label = "quality"
    verbose_name = _("Quality")
