"""ASGI entry point for daphne: HTTP through Django, websockets through Channels with the
company resolved from the host (triboka/websockets.py); the root domain has only the staff
sockets of the live support chat."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "triboka.settings")

django_asgi_app = get_asgi_application()

# After Django is set up:
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path, re_path  # noqa: E402

from erp.chat.consumers import ContractChatConsumer  # noqa: E402
from erp.notifications.consumers import NotificationConsumer  # noqa: E402
from support.livechat import consumers as livechat  # noqa: E402
from triboka.websockets import CompanyWebsocketMiddleware, NoSuchSocket, StaffWebsocketMiddleware  # noqa: E402

websocket_urlpatterns = [  # a company's domain
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    path("ws/contracts/<int:contract_id>/chat/", ContractChatConsumer.as_asgi()),
    path("ws/support/chats/<int:chat_id>/", livechat.RequesterChatConsumer.as_asgi()),
    re_path(r"", NoSuchSocket.as_asgi()),
]

staff_websocket_urlpatterns = [  # the root domain, under ws/support/staff/, staff only
    path("", livechat.StaffChatListConsumer.as_asgi()),
    path("chats/<int:chat_id>/", livechat.StaffChatConsumer.as_asgi()),
    re_path(r"", NoSuchSocket.as_asgi()),
]

root_websocket_urlpatterns = [
    path("ws/support/staff/", StaffWebsocketMiddleware(URLRouter(staff_websocket_urlpatterns))),
    re_path(r"", NoSuchSocket.as_asgi()),
]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": CompanyWebsocketMiddleware(
            URLRouter(websocket_urlpatterns), root_app=URLRouter(root_websocket_urlpatterns)
        ),
    }
)
