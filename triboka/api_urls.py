"""API routes served on every site: authentication, profile and the OpenAPI docs."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from triboka.accounts import api as accounts_api

urlpatterns = [
    path("api/v1/auth/login/", accounts_api.LoginView.as_view(), name="auth-login"),
    path("api/v1/auth/refresh/", accounts_api.RefreshView.as_view(), name="auth-refresh"),
    path("api/v1/auth/logout/", accounts_api.LogoutView.as_view(), name="auth-logout"),
    path("api/v1/me/", accounts_api.MeView.as_view(), name="me"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
