import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A DNS label: lowercase letters, digits and inner hyphens, 1 to 63 characters.
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def validate_company_slug(value: str) -> None:
    if len(value) > 63:
        return  # the field's max_length reports it
    if value != value.lower():
        raise ValidationError(_("The subdomain must be lowercase."), code="uppercase")
    if value.startswith("-") or value.endswith("-"):
        raise ValidationError(_("The subdomain cannot start or end with a hyphen."), code="hyphen")
    if not SLUG_PATTERN.match(value):
        raise ValidationError(
            _("The subdomain may contain only lowercase letters, digits and hyphens."),
            code="invalid",
        )
    if value in settings.RESERVED_COMPANY_SLUGS or value.startswith("pg-"):
        raise ValidationError(
            _("“%(slug)s” is reserved; please choose another subdomain.") % {"slug": value},
            code="reserved",
        )


def schema_name_for_slug(slug: str) -> str:
    """Slugs never contain underscores, so this mapping cannot make two slugs collide."""
    return slug.replace("-", "_")
