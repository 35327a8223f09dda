"""Master API routes of instances, under /api/master/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("instances", api.InstanceViewSet, basename="master-instance")

urlpatterns = [
    # before the router's detail route, which would take "heartbeat" for an id
    path("instances/heartbeat/", api.HeartbeatView.as_view(), name="master-instance-heartbeat"),
    *router.urls,
]
