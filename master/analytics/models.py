"""Figures of each company that live in its own schema, copied to the public schema by a
periodic job so the master dashboard never visits the companies' schemas."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from master.companies.models import Company


class CompanyFacts(models.Model):
    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, primary_key=True, related_name="facts", verbose_name=_("company")
    )
    storage_bytes = models.BigIntegerField(_("storage used (bytes)"), default=0)
    documents = models.PositiveIntegerField(_("documents"), default=0)
    contracts = models.PositiveIntegerField(_("contracts"), default=0)
    lots = models.PositiveIntegerField(_("lots"), default=0)
    iot_devices = models.PositiveIntegerField(_("active IoT devices"), default=0)
    iot_readings_today = models.PositiveIntegerField(_("IoT readings today"), default=0)
    iot_errors_today = models.PositiveIntegerField(_("IoT errors today"), default=0)
    iot_last_reading_at = models.DateTimeField(_("last IoT reading"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        verbose_name = _("company figures")
        verbose_name_plural = _("company figures")

    def __str__(self):
        return str(self.company_id)
