from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .codes import license_code_generate


class LicenseType(models.TextChoices):
    SAAS = "saas", _("SaaS")
    VPS = "vps", _("On-premise VPS")
    API = "api", _("API only")


class LicenseStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class BillingPeriod(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    YEARLY = "yearly", _("Yearly")


class Module(models.TextChoices):
    """The parts of the ERP a license can enable."""

    CONTRACTS = "contracts", _("Contracts")
    LOTS = "lots", _("Lots")
    DOCUMENTS = "documents", _("Documents")
    CHAT = "chat", _("Contract chat")
    IOT = "iot", _("IoT devices")
    CALCULATOR = "calculator", _("Calculator")
    DEMAND = "demand", _("Demand and FOB prices")
    SUPPORT = "support", _("Support")
    RECEPTION = "reception", _("Reception")
    QUALITY = "quality", _("Quality")
    PROCESSING = "processing", _("Processing")
    INVENTORY = "inventory", _("Inventory")
    EXPORT = "export", _("Sales and export")
    FINANCE = "finance", _("Finance")
    EUDR = "eudr", _("EUDR due diligence")
    REPORTS = "reports", _("Reports")


def all_modules() -> list[str]:
    return list(Module.values)


class License(models.Model):
    """A company's right to use the platform: which modules, within which limits, until when,
    at which price. A limit left empty is unlimited."""

    code = models.CharField(_("code"), max_length=20, unique=True, default=license_code_generate)
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.CASCADE,
        related_name="licenses",
        null=True,
        blank=True,
        verbose_name=_("company"),
    )
    type = models.CharField(_("type"), max_length=8, choices=LicenseType.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=LicenseStatus.choices, default=LicenseStatus.ACTIVE
    )
    modules = models.JSONField(_("modules"), default=all_modules, blank=True)
    max_users = models.PositiveIntegerField(_("users"), null=True, blank=True)
    max_api_calls_month = models.PositiveIntegerField(_("API calls a month"), null=True, blank=True)
    max_storage_mb = models.PositiveIntegerField(_("storage (MB)"), null=True, blank=True)
    max_iot_devices = models.PositiveIntegerField(_("IoT devices"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    auto_renew = models.BooleanField(_("renews automatically"), default=False)
    price_usd = models.DecimalField(
        _("price (USD)"), max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    billing_period = models.CharField(
        _("billing period"), max_length=8, choices=BillingPeriod.choices, default=BillingPeriod.MONTHLY
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("license")
        verbose_name_plural = _("licenses")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=models.F("starts_on")),
                name="license_expires_after_it_starts",
            ),
            models.CheckConstraint(condition=models.Q(price_usd__gte=0), name="license_price_not_negative"),
        ]

    def __str__(self):
        return self.code

    def clean(self):
        errors = {}
        if not isinstance(self.modules, list) or any(module not in Module.values for module in self.modules):
            errors["modules"] = _("Choose among: %(modules)s.") % {"modules": ", ".join(Module.values)}
        elif len(set(self.modules)) != len(self.modules):
            errors["modules"] = _("Each module once.")
        if self.expires_on and self.starts_on and self.expires_on < self.starts_on:
            errors["expires_on"] = _("A license cannot expire before it starts.")
        if errors:
            raise ValidationError(errors)
