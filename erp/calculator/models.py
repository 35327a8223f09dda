from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Calculation(models.Model):
    """One use of the USD/TM -> USD/quintal calculator, kept in the user's history."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calculations")
    spot_usd_per_tm = models.DecimalField(_("spot (USD/TM)"), max_digits=12, decimal_places=2)
    divisor = models.DecimalField(_("divisor"), max_digits=8, decimal_places=4)
    results = models.JSONField(_("results"))  # [{"differential": "200.00", "price_per_quintal": "277.55"}]
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calculation")
        verbose_name_plural = _("calculations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.spot_usd_per_tm} ({self.created_at:%Y-%m-%d})"
