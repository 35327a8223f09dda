from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EudrConfig(AppConfig):
    """EU Deforestation Regulation due diligence: the plots (fincas) of each supplier with
    their geolocation, evidence and verification; the plots of origin of receptions; a lot's
    EUDR status through its genealogy."""

    name = "erp.eudr"
    label = "eudr"
    verbose_name = _("EUDR due diligence")
