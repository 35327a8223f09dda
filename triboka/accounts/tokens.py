"""JWTs that belong to one site.

Every token carries the schema and the company id it was issued for; a token presented on
another company's domain (or on the root domain) is refused with 401 before any user
lookup, because user ids repeat across schemas. The company id also tells apart a company
deleted and a new one created later under the same subdomain (and so the same schema).
"""

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import (
    TokenBlacklistSerializer,
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
)
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken, UntypedToken

SCHEMA_CLAIM = "schema"
COMPANY_CLAIM = "company"
WRONG_SITE_MESSAGE = _("This token was not issued for this site.")


def _current_company_id() -> int | None:
    """The company whose site is being served (None on the root domain)."""
    return getattr(connection.tenant, "pk", None)


def token_require_current_schema(token) -> None:
    same_site = (
        token.get(SCHEMA_CLAIM) == connection.schema_name
        and token.get(COMPANY_CLAIM) == _current_company_id()
    )
    if not same_site:
        raise InvalidToken(WRONG_SITE_MESSAGE)


def refresh_token_for_current_schema(raw: str) -> RefreshToken:
    try:
        token = RefreshToken(raw)
    except TokenError as error:
        raise InvalidToken(str(error)) from error
    token_require_current_schema(token)
    return token


def token_user(raw: str):
    """The user a valid token (even a blacklisted one) was issued to, or None if they are
    gone; for the audit of refreshes and sign-outs."""
    user_id = UntypedToken(raw).get(api_settings.USER_ID_CLAIM)
    return get_user_model().objects.filter(pk=user_id).first() if user_id is not None else None


class LoginSerializer(TokenObtainPairSerializer):
    @classmethod
    def get_token(cls, user):
        token = super().get_token(user)
        token[SCHEMA_CLAIM] = connection.schema_name
        token[COMPANY_CLAIM] = _current_company_id()
        return token


class RefreshSerializer(TokenRefreshSerializer):
    def validate(self, attrs):
        refresh_token_for_current_schema(attrs["refresh"])
        try:
            return super().validate(attrs)
        except get_user_model().DoesNotExist as error:
            raise InvalidToken(_("The user of this token no longer exists.")) from error


class LogoutSerializer(TokenBlacklistSerializer):
    def validate(self, attrs):
        refresh_token_for_current_schema(attrs["refresh"])
        return super().validate(attrs)
