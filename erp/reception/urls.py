"""Routes of the reception API, under /api/v1/."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from .api import PaidWeightView, ReceptionViewSet

router = SimpleRouter()
router.register("receptions", ReceptionViewSet, basename="reception")

urlpatterns = [
    re_path(r"^receptions/paid-weight/$", PaidWeightView.as_view(), name="reception-paid-weight"),
    *router.urls,
]
