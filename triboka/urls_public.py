"""URLs of the root domain: the master panel (Django Admin) and the master API."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from rest_framework.routers import SimpleRouter

from master.backups import api as backups_api
from master.companies import api as companies_api
from master.licensing import api as licensing_api
from support import urls as support_urls

router = SimpleRouter()
router.register("companies", companies_api.CompanyViewSet, basename="master-company")
router.register("backups", backups_api.BackupViewSet, basename="master-backup")
router.register("licenses", licensing_api.LicenseViewSet, basename="master-license")

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/master/", include(router.urls)),
    path("api/master/users/", companies_api.DirectoryListView.as_view(), name="master-users"),
    path(
        "api/master/users/<int:pk>/reset-password/",
        companies_api.DirectoryPasswordResetView.as_view(),
        name="master-user-reset-password",
    ),
    path(
        "api/master/users/<int:pk>/status/",
        companies_api.DirectoryStatusView.as_view(),
        name="master-user-status",
    ),
    path("api/master/", include("master.metering.urls")),
    path("api/master/", include("master.analytics.urls")),
    path("api/master/", include("master.reports.urls")),
    path("api/master/", include("master.billing.urls")),
    path("api/master/", include("master.webhooks.urls")),
    path("api/master/", include("master.instances.urls")),
    path("api/master/", include("master.platform.urls")),
    path("", include(support_urls.public_urlpatterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api-auth/", include("rest_framework.urls")),  # log in/out links of the browsable API
    path("", include("triboka.api_urls")),
]
