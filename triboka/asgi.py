"""ASGI entry point for daphne: HTTP through Django, websockets through Channels with the
company resolved from the host (triboka/websockets.py)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "triboka.settings")

django_asgi_app = get_asgi_application()

# After Django is set up:
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path, re_path  # noqa: E402

from erp.chat.consumers import ContractChatConsumer  # noqa: E402
from erp.notifications.consumers import NotificationConsumer  # noqa: E402
from triboka.websockets import CompanyWebsocketMiddleware, NoSuchSocket  # noqa: E402

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    path("ws/contracts/<int:contract_id>/chat/", ContractChatConsumer.as_asgi()),
    re_path(r"", NoSuchSocket.as_asgi()),
]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": CompanyWebsocketMiddleware(URLRouter(websocket_urlpatterns)),
    }
)
