from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ErpConfig(AppConfig):
    """The ERP as a whole: no models of its own; its management commands (export, imports)
    and the shared pieces (access, units, codes) live at this level."""

    name = "erp"
    label = "erp"
    verbose_name = _("ERP")
