"""The nginx configuration of the platform, from the system settings and the companies'
domains (``manage.py render_nginx``).

One HTTPS server answers the base domain and ``*.<base domain>`` with the wildcard
certificate; every other domain of a company (a custom domain, or a name more than one
level under the base domain, which the wildcard certificate does not cover) gets its own
server with its own certificate, ``<certificate folder>/<domain>/{fullchain,privkey}.pem``
as certbot names them. Port 80 serves certbot's challenges and redirects to HTTPS.

Suspended companies keep their domains: Django answers their users with the suspension page.

Every value written into the file is checked first: a domain row that is not a plain host
name (it could carry nginx syntax) is left out and reported; a bad setting stops the render.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from master.companies.models import Domain

from .services import SystemSettingsValues
from .validators import host_name_is_valid, path_is_safe, upstream_is_valid

UPSTREAM_NAME = "triboka_daphne"
# nginx lets bodies this much larger than DOCUMENT_MAX_UPLOAD_MB through, so that Django,
# not nginx, refuses an oversized document (with a message the user can read).
UPLOAD_MARGIN_MB = 5


class NginxConfigError(Exception):
    """A setting cannot be written into the configuration; the message names it."""


@dataclass(frozen=True)
class Site:
    domain: str
    certificate: str
    certificate_key: str
    company: str = ""  # the company's subdomain, as a comment

    def has_certificate(self) -> bool:
        return Path(self.certificate).is_file() and Path(self.certificate_key).is_file()


@dataclass
class NginxPlan:
    """What the file will hold, and what was left out of it."""

    wildcard: Site
    custom_sites: list[Site] = field(default_factory=list)
    rejected_domains: list[str] = field(default_factory=list)
    without_certificate: list[Site] = field(default_factory=list)


def site_for(domain: str, values: SystemSettingsValues, company: str = "") -> Site:
    folder = f"{values.tls_certificate_dir.rstrip('/')}/{domain}"
    return Site(domain, f"{folder}/fullchain.pem", f"{folder}/privkey.pem", company)


def covered_by_wildcard(domain: str, base_domain: str) -> bool:
    """The base domain itself, or one label under it (what ``*.<base>`` certifies)."""
    if domain == base_domain:
        return True
    label = domain.removesuffix(f".{base_domain}")
    return label != domain and "." not in label


def nginx_plan(*, values: SystemSettingsValues, skip_missing_certificates: bool = False) -> NginxPlan:
    _check_settings(values)
    plan = NginxPlan(wildcard=site_for(values.base_domain, values))
    seen = set()
    for raw, slug in Domain.objects.order_by("domain").values_list("domain", "tenant__slug"):
        domain = raw.strip().lower().rstrip(".")
        if not host_name_is_valid(domain):
            plan.rejected_domains.append(raw)
            continue
        if domain in seen or covered_by_wildcard(domain, values.base_domain):
            continue
        seen.add(domain)
        site = site_for(domain, values, slug if host_name_is_valid(slug or "") else "")
        if skip_missing_certificates and not site.has_certificate():
            plan.without_certificate.append(site)
        else:
            plan.custom_sites.append(site)
    plan.custom_sites.sort(key=lambda site: site.domain)
    return plan


def nginx_config_render(*, values: SystemSettingsValues, plan: NginxPlan) -> str:
    """The configuration text: the same settings and domains always give the same text."""
    # Port 80 still answers a domain without its certificate, so certbot can fetch it.
    http_sites = sorted(plan.custom_sites + plan.without_certificate, key=lambda site: site.domain)
    names = [values.base_domain, *(site.domain for site in http_sites)]
    context = {
        "base_domain": values.base_domain,
        "wildcard": plan.wildcard,
        "custom_sites": plan.custom_sites,
        "http_sites": http_sites,
        "acme_webroot": values.acme_webroot.rstrip("/") or "/",
        "upstream": values.upstream,
        "upstream_name": UPSTREAM_NAME,
        "static_root": str(settings.STATIC_ROOT).rstrip("/"),
        "client_max_body_mb": settings.DOCUMENT_MAX_UPLOAD_MB + UPLOAD_MARGIN_MB,
        "hash_bucket_size": _power_of_two_at_least(max(len(name) for name in names) + 32, 64),
        "hash_max_size": _power_of_two_at_least(2 * len(names), 512),
    }
    return render_to_string("platform/nginx.conf", context).rstrip("\n") + "\n"


def _check_settings(values: SystemSettingsValues) -> None:
    """The settings are validated when saved; this stops a row written around the admin
    (or a STATIC_ROOT with odd characters) from reaching nginx."""
    problems = []
    if not host_name_is_valid(values.base_domain):
        problems.append(f"base_domain {values.base_domain!r} is not a host name")
    for name in ("tls_certificate_dir", "acme_webroot"):
        if not path_is_safe(getattr(values, name)):
            problems.append(f"{name} {getattr(values, name)!r} is not a plain absolute path")
    if not upstream_is_valid(values.upstream):
        problems.append(f"upstream {values.upstream!r} is neither host:port nor unix:/path")
    if not path_is_safe(str(settings.STATIC_ROOT)):
        problems.append(f"STATIC_ROOT {str(settings.STATIC_ROOT)!r} is not a plain absolute path")
    if problems:
        raise NginxConfigError("; ".join(problems))


def _power_of_two_at_least(value: int, minimum: int) -> int:
    size = minimum
    while size < value:
        size *= 2
    return size
