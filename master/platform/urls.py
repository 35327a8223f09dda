"""Master API routes of system settings, under /api/master/."""

from django.urls import path

from .api import SystemSettingsView

urlpatterns = [
    path("settings/", SystemSettingsView.as_view(), name="master-settings"),
]
