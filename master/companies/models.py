from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from triboka.accounts.models import Role
from triboka.validators import validate_ruc

from .validators import validate_company_slug


class CompanyKind(models.TextChoices):
    EXPORTER = "exporter", _("Exporter")
    COLLECTION_CENTER = "center", _("Collection center")
    SUPPLIER = "supplier", _("Supplier")
    OTHER = "other", _("Other")


class CompanyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class CompanyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=CompanyStatus.ACTIVE)


class Company(TenantMixin):
    """A client company: one PostgreSQL schema, served on <slug>.<BASE_DOMAIN>."""

    # Schemas are created by master.companies.services.company_provision (copied from the
    # template) and dropped by company_delete, never as a side effect of save()/delete().
    auto_create_schema = False
    auto_drop_schema = False

    name = models.CharField(_("name"), max_length=200)
    slug = models.CharField(
        _("subdomain"),
        max_length=63,
        unique=True,
        validators=[validate_company_slug],
        help_text=_("Lowercase letters, digits and hyphens; the company's address."),
        error_messages={"unique": _("A company with this subdomain already exists.")},
    )
    ruc = models.CharField(
        _("RUC"),
        max_length=13,
        unique=True,
        validators=[validate_ruc],
        error_messages={"unique": _("A company with this RUC already exists.")},
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CompanyKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=CompanyStatus.choices, default=CompanyStatus.ACTIVE
    )
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    suspension_reason = models.CharField(_("suspension reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_suspended(self) -> bool:
        return self.status == CompanyStatus.SUSPENDED

    @property
    def primary_domain(self) -> str:
        return f"{self.slug}.{settings.BASE_DOMAIN}"

    @property
    def url(self) -> str:
        return company_url(self.primary_domain)


def company_url(host: str, path: str = "/") -> str:
    port = f":{settings.PUBLIC_URL_PORT}" if settings.PUBLIC_URL_PORT else ""
    return f"{settings.PUBLIC_URL_SCHEME}://{host}{port}{path}"


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self):
        return self.domain


class UserDirectoryEntry(models.Model):
    """Public-schema mirror of one company user, so the master panel can list and search
    the users of every company without visiting each schema."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="directory")
    user_id = models.BigIntegerField(_("user id in the company"))
    email = models.EmailField(_("e-mail"))
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    is_active = models.BooleanField(_("active"))
    last_login = models.DateTimeField(_("last login"), null=True, blank=True)
    date_joined = models.DateTimeField(_("date joined"))
    synced_at = models.DateTimeField(_("synced at"), auto_now=True)

    class Meta:
        verbose_name = _("company user")
        verbose_name_plural = _("company users")
        ordering = ["email"]
        constraints = [models.UniqueConstraint(fields=["company", "user_id"], name="directory_company_user")]
        indexes = [models.Index(fields=["email"])]

    def __str__(self):
        return f"{self.email} ({self.company.slug})"


class TemplateSnapshot(models.Model):
    """SQL of the migrated template schema, replayed under each new company's name.

    Keyed by the template's applied migrations, so a new migration makes a new snapshot.
    """

    fingerprint = models.CharField(max_length=64, unique=True)
    sql = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("template snapshot")
        verbose_name_plural = _("template snapshots")

    def __str__(self):
        return f"template {self.fingerprint[:12]}"
