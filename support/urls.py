"""Routes of the support apps: each app's ``urls.py`` has ``public_urlpatterns`` (the root
domain: staff and the support API) and ``company_urlpatterns`` (every company site)."""

from django.urls import include, path

from support.knowledge import urls as knowledge
from support.livechat import urls as livechat
from support.remote import urls as remote
from support.tickets import urls as tickets

APPS = (tickets, knowledge, livechat, remote)

public_urlpatterns = [path("", include(app.public_urlpatterns)) for app in APPS]
company_urlpatterns = [path("", include(app.company_urlpatterns)) for app in APPS]
