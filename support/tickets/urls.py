"""``/api/support/tickets`` on both sides; the ticket pages on company sites."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, views

router = SimpleRouter()
router.trailing_slash = "/?"  # the seed's paths have no trailing slash; both answer
router.register("api/support/tickets", api.TicketViewSet, basename="support-ticket")

api_urlpatterns = [
    *router.urls,
    path(
        "api/support/attachments/<int:pk>/", api.AttachmentDownloadView.as_view(), name="support-attachment"
    ),
]

public_urlpatterns = api_urlpatterns

company_urlpatterns = [
    *api_urlpatterns,
    path("support/tickets/", views.ticket_list, name="support_ticket_list"),
    path("support/tickets/new/", views.ticket_create, name="support_ticket_create"),
    path("support/tickets/<int:pk>/", views.ticket_detail, name="support_ticket_detail"),
    path("support/tickets/<int:pk>/reopen/", views.ticket_reopen, name="support_ticket_reopen"),
    path("support/tickets/<int:pk>/satisfaction/", views.ticket_rate, name="support_ticket_rate"),
    path("support/attachments/<int:pk>/", views.attachment_download, name="support_attachment_download"),
]
