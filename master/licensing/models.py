from django.db import models
from django.utils.translation import gettext_lazy as _

from .codes import license_code_generate


class LicenseType(models.TextChoices):
    SAAS = "saas", _("SaaS")
    VPS = "vps", _("On-premise VPS")
    API = "api", _("API only")


class License(models.Model):
    """A company's right to use the platform. Modules, limits and billing come with the
    licensing issue; provisioning already issues one so every company has its row."""

    code = models.CharField(_("code"), max_length=20, unique=True, default=license_code_generate)
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.CASCADE,
        related_name="licenses",
        null=True,
        blank=True,
    )
    type = models.CharField(_("type"), max_length=8, choices=LicenseType.choices)
    starts_on = models.DateField(_("starts on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("license")
        verbose_name_plural = _("licenses")
        ordering = ["-created_at"]

    def __str__(self):
        return self.code
