import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .validators import validate_absolute_path, validate_host_name, validate_upstream, validate_weekdays

SINGLETON_PK = 1
MAX_GRACE_DAYS = 365


# Defaults read the environment when a row is made, so an installation that never saved its
# settings keeps following BASE_DOMAIN and LICENSE_GRACE_DAYS.
def default_base_domain() -> str:
    return settings.BASE_DOMAIN


def default_support_email() -> str:
    return f"soporte@{settings.BASE_DOMAIN}"


def default_license_grace_days() -> int:
    return settings.LICENSE_GRACE_DAYS


class SystemSettings(models.Model):
    """The platform's settings that staff edit in the master panel: one row (pk 1).

    Read them through ``master.platform.services.system_settings()``, which caches them;
    until the row is first saved, the defaults (from the environment) apply.
    """

    base_domain = models.CharField(
        _("base domain"),
        max_length=253,
        default=default_base_domain,
        validators=[validate_host_name],
        help_text=_(
            "The master panel's domain; companies are on <subdomain>.<base domain>. render_nginx "
            "writes its servers for it; requests are routed by BASE_DOMAIN from the environment, "
            "so keep the two equal."
        ),
    )
    support_email = models.EmailField(_("support e-mail"), default=default_support_email)
    default_max_users = models.PositiveIntegerField(_("users"), null=True, blank=True)
    default_max_api_calls_month = models.PositiveIntegerField(_("API calls a month"), null=True, blank=True)
    default_max_storage_mb = models.PositiveIntegerField(_("storage (MB)"), null=True, blank=True)
    default_max_iot_devices = models.PositiveIntegerField(_("IoT devices"), null=True, blank=True)
    license_grace_days = models.PositiveSmallIntegerField(
        _("license grace period (days)"),
        default=default_license_grace_days,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_GRACE_DAYS)],
        help_text=_("Days an expired license keeps its company's site open, read-only."),
    )
    tls_certificate_dir = models.CharField(
        _("TLS certificate folder"),
        max_length=255,
        default="/etc/letsencrypt/live",
        validators=[validate_absolute_path],
        help_text=_(
            "Holds <domain>/fullchain.pem and <domain>/privkey.pem for the base domain "
            "(its wildcard certificate) and for each custom domain, as certbot writes them."
        ),
    )
    acme_webroot = models.CharField(
        _("ACME challenge folder"),
        max_length=255,
        default="/var/www/letsencrypt",
        validators=[validate_absolute_path],
        help_text=_("nginx serves /.well-known/acme-challenge/ from here (certbot --webroot)."),
    )
    upstream = models.CharField(
        _("application server"),
        max_length=255,
        default="127.0.0.1:8000",
        validators=[validate_upstream],
        help_text=_("Where nginx reaches daphne: host:port or unix:/path/to/socket."),
    )
    # Support (support/): SLA targets in calendar hours from a ticket's creation, the days a
    # resolved ticket can be reopened, and the hours live chat is staffed.
    sla_first_response_hours_low = models.PositiveSmallIntegerField(
        _("first response, low (hours)"), default=24
    )
    sla_first_response_hours_normal = models.PositiveSmallIntegerField(
        _("first response, normal (hours)"), default=8
    )
    sla_first_response_hours_high = models.PositiveSmallIntegerField(
        _("first response, high (hours)"), default=4
    )
    sla_first_response_hours_urgent = models.PositiveSmallIntegerField(
        _("first response, urgent (hours)"), default=1
    )
    sla_resolution_hours_low = models.PositiveSmallIntegerField(_("resolution, low (hours)"), default=168)
    sla_resolution_hours_normal = models.PositiveSmallIntegerField(
        _("resolution, normal (hours)"), default=72
    )
    sla_resolution_hours_high = models.PositiveSmallIntegerField(_("resolution, high (hours)"), default=24)
    sla_resolution_hours_urgent = models.PositiveSmallIntegerField(_("resolution, urgent (hours)"), default=8)
    support_reopen_days = models.PositiveSmallIntegerField(
        _("reopen window (days)"),
        default=14,
        validators=[MaxValueValidator(365)],
        help_text=_("Days after its resolution a requester can reopen a ticket; later it is closed."),
    )
    support_chat_wait_minutes = models.PositiveSmallIntegerField(
        _("chat wait before a ticket (minutes)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("A live chat nobody from support answered in this time becomes a ticket."),
    )
    support_hours_start = models.TimeField(_("support opens at"), default=datetime.time(8, 0))
    support_hours_end = models.TimeField(_("support closes at"), default=datetime.time(18, 0))
    support_weekdays = models.CharField(
        _("support days"),
        max_length=7,
        default="12345",
        validators=[validate_weekdays],
        help_text=_("ISO weekday numbers, 1 Monday to 7 Sunday: 12345 is Monday to Friday."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("system settings")
        verbose_name_plural = _("system settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=SINGLETON_PK), name="system_settings_single_row"),
        ]

    def __str__(self):
        return str(_("System settings"))
