from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    """Receptions at the collection center: weights, moisture and impurity discounts, the
    paid weight, the price and the supplier's receipt."""

    name = "erp.reception"
    label = "reception"
    verbose_name = _("Reception")
