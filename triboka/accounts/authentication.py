from rest_framework_simplejwt.authentication import JWTAuthentication

from .tokens import token_require_current_schema


class CompanyJWTAuthentication(JWTAuthentication):
    """simplejwt's authentication, refusing tokens issued in another schema (401)."""

    def get_validated_token(self, raw_token):
        token = super().get_validated_token(raw_token)
        token_require_current_schema(token)
        return token
