"""Master API routes of API consumption, under /api/master/."""

from django.urls import path

from . import api

urlpatterns = [
    path("analytics/consumption/", api.ConsumptionView.as_view(), name="master-consumption"),
]
