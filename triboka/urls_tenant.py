"""URLs of a company site (<slug>.<BASE_DOMAIN>)."""

from django.urls import include, path

from iot.urls import api_urlpatterns as iot_api
from iot.urls import seed_urlpatterns as iot_seed
from support import urls as support_urls
from triboka.admin_sites import company_admin_site

urlpatterns = [
    path("accounts/", include("triboka.accounts.urls")),
    path("admin/", company_admin_site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api-auth/", include("rest_framework.urls")),  # log in/out links of the browsable API
    path("", include("triboka.api_urls")),
    path("api/v1/", include("master.webhooks.company_urls")),
    path("api/v1/", include("erp.urls")),
    path("api/v1/", include(iot_api)),
    path("", include(iot_seed)),
    path("", include(support_urls.company_urlpatterns)),
    path("", include("erp.web.urls")),
]
