"""OpenAPI description of our JWT authentication (simplejwt's, bound to a schema)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class CompanyJWTScheme(SimpleJWTScheme):
    target_class = "triboka.accounts.authentication.CompanyJWTAuthentication"
    name = "jwtAuth"
