"""The ERP API of a company site, under /api/v1/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from erp.chat.api import ChatViewSet
from erp.contracts.api import ContractViewSet
from erp.dashboard.api import DashboardView
from erp.lots.api import LotViewSet
from erp.notifications.api import DeviceViewSet, NotificationViewSet
from erp.partners.api import PartnerViewSet, UserViewSet

router = DefaultRouter()
router.register("partners", PartnerViewSet, basename="partner")
router.register("users", UserViewSet, basename="user")
router.register("contracts", ContractViewSet, basename="contract")
router.register("lots", LotViewSet, basename="lot")
router.register("chats", ChatViewSet, basename="chat")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("devices", DeviceViewSet, basename="device")

urlpatterns = [
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
    path("", include("erp.documents.urls")),
    path("", include("erp.calculator.urls")),
    path("", include("erp.market.urls")),
    path("", include("erp.reception.urls")),
    path("", include("erp.quality.urls")),
    path("", include("erp.processing.urls")),
    path("", include("erp.inventory.urls")),
    path("", include("erp.ledger.urls")),
    path("", include("erp.eudr.urls")),
    path("", include("erp.export.urls")),
    path("", include("erp.export.dds_urls")),
    path("", include("erp.finance.urls")),
    path("", include(router.urls)),
]
