"""Remote access: the company side's pages (grants from a ticket, the list, ending one) and
the start of a support session. The staff side is in the master admin (admin.py)."""

from django.urls import path

from . import views

public_urlpatterns = []

company_urlpatterns = [
    path("support/remote/grants/", views.grant_list, name="support_remote_grant_list"),
    path(
        "support/remote/tickets/<int:ticket_pk>/grant/",
        views.grant_create,
        name="support_remote_grant_create",
    ),
    path("support/remote/grants/<int:pk>/end/", views.grant_end, name="support_remote_grant_end"),
    path("support/remote/start/<str:token>/", views.session_start, name="support_remote_start"),
]
