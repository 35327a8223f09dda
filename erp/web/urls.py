"""Pages of a company site (namespace ``web``)."""

from django.urls import path

from .views import (
    contracts,
    dashboard,
    inventory,
    iot,
    ledger,
    lots,
    notifications,
    people,
    processing,
    quality,
    reception,
    tools,
)

app_name = "web"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("contracts/", contracts.contract_list_page, name="contract_list"),
    path("contracts/new/", contracts.contract_create, name="contract_create"),
    path("contracts/<int:pk>/", contracts.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/edit/", contracts.contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/transition/", contracts.contract_transition, name="contract_transition"),
    path("contracts/<int:pk>/lots/", contracts.contract_assign_lot, name="contract_assign_lot"),
    path("contracts/<int:pk>/documents/", contracts.document_upload, name="document_upload"),
    path("contracts/<int:pk>/chat/", contracts.chat_post, name="chat_post"),
    path("documents/<int:pk>/download/", contracts.document_download, name="document_download"),
    path("lots/", lots.lot_list_page, name="lot_list"),
    path("lots/new/", lots.lot_create, name="lot_create"),
    path("lots/<int:pk>/", lots.lot_detail, name="lot_detail"),
    path("lots/<int:pk>/edit/", lots.lot_edit, name="lot_edit"),
    path("calculator/", tools.calculator, name="calculator"),
    path("demand/", tools.demand_list_page, name="demand_list"),
    path("demand/new/", tools.demand_create, name="demand_create"),
    path("demand/<int:pk>/edit/", tools.demand_edit, name="demand_edit"),
    path("partners/", people.partner_list, name="partner_list"),
    path("partners/new/", people.partner_create, name="partner_create"),
    path("partners/<int:pk>/edit/", people.partner_edit, name="partner_edit"),
    path("partners/<int:pk>/logo/", people.partner_logo, name="partner_logo"),
    path("users/", people.user_list, name="user_list"),
    path("users/invite/", people.user_invite, name="user_invite"),
    path("users/<int:pk>/edit/", people.user_edit, name="user_edit"),
    path("profile/", people.profile, name="profile"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/read/", notifications.notifications_read, name="notifications_read"),
    path(
        "notifications/preferences/", notifications.notification_preferences, name="notification_preferences"
    ),
    path("iot/devices/", iot.device_list, name="iot_device_list"),
    path("iot/devices/new/", iot.device_create, name="iot_device_create"),
    path("iot/devices/<int:pk>/", iot.device_detail, name="iot_device_detail"),
    path("iot/devices/<int:pk>/edit/", iot.device_edit, name="iot_device_edit"),
    path("iot/devices/<int:pk>/deactivate/", iot.device_deactivate, name="iot_device_deactivate"),
    path("iot/devices/<int:pk>/activate/", iot.device_activate, name="iot_device_activate"),
    path("iot/devices/<int:pk>/rotate-key/", iot.device_rotate_key, name="iot_device_rotate_key"),
    path("iot/devices/<int:pk>/revoke-key/", iot.device_revoke_key, name="iot_device_revoke_key"),
    path("iot/readings/", iot.reading_list, name="iot_reading_list"),
    path("iot/readings/<int:pk>/assign/", iot.reading_assign, name="iot_reading_assign"),
    path("iot/imports/", iot.import_list, name="iot_import_list"),
    path("iot/imports/new/", iot.import_create, name="iot_import_create"),
    path("iot/imports/<int:pk>/", iot.import_detail, name="iot_import_detail"),
    # Operations: each module's pages are listed in its own view module.
    *reception.urlpatterns,
    *quality.urlpatterns,
    *processing.urlpatterns,
    *inventory.urlpatterns,
    *ledger.urlpatterns,
]
