from django.apps import AppConfig


class WebConfig(AppConfig):
    """The server-rendered pages of a company site (dashboards, contracts, lots, ...)."""

    name = "erp.web"
    label = "web"
