from django.test import Client
from django_tenants.utils import tenant_context


def page_client(world, role: str | None) -> Client:
    """A browser-like client on the company's domain, logged in (session) as ``role``."""
    client = Client(HTTP_HOST=world.host)
    if role is not None:
        with tenant_context(world.company):
            client.force_login(world.users[role])
    return client
