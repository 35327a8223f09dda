"""The live chat's sockets.

- ``ws/support/chats/<id>/`` on a company's site: the chat's requester only (anyone else,
  and any other company's chat, is closed 4404).
- ``ws/support/staff/`` on the root domain: the live list of waiting and active chats.
- ``ws/support/staff/chats/<id>/`` on the root domain: staff answer a chat of any company.

On joining, a chat socket sends ``{"chat": ..., "messages": [...]}``; then ``{"message": ...}``
and ``{"chat": ...}`` as they happen. A client sends ``{"text": "..."}`` or
``{"action": "close"}`` (staff also ``{"action": "convert"}``).
"""

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from support.tickets.services import Author
from triboka.errors import ApplicationError
from triboka.websockets import CLOSE_NOT_FOUND, in_company

from . import selectors, services
from .models import Chat


class _ChatSocket(AsyncJsonWebsocketConsumer):
    actions = ("close",)

    async def connect(self):
        await self.accept(subprotocol=self.scope.get("subprotocol"))
        joined = await self._join()
        if joined is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_json(joined)

    @in_company
    def _join(self) -> dict | None:
        try:
            self.chat = self.chat_get(self.scope["url_route"]["kwargs"]["chat_id"])
        except Chat.DoesNotExist:
            return None
        self.group = services.chat_group(self.chat)
        messages = selectors.chat_messages(chat=self.chat)
        return {
            "chat": services.status_data(self.chat),
            "messages": [services.message_data(m) for m in messages],
        }

    def chat_get(self, pk) -> Chat:
        raise NotImplementedError

    def author(self) -> Author:
        raise NotImplementedError

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self.send_json({"error": {"detail": "Send a JSON object."}})
            return
        error = await self._act(content)
        if error:
            await self.send_json({"error": error})

    @in_company
    def _act(self, content: dict) -> dict | None:
        action = content.get("action")
        try:
            if action is None:
                services.chat_message_post(chat=self.chat, author=self.author(), body=content.get("text", ""))
            elif action == "close" and action in self.actions:
                services.chat_close(chat=self.chat, author=self.author())
            elif action == "convert" and action in self.actions:
                services.chat_convert(chat=self.chat)
            else:
                unknown = _("Unknown action; send one of: %(actions)s.") % {
                    "actions": ", ".join(self.actions)
                }
                return {"detail": unknown, "action": [unknown]}
        except ValidationError as refused:
            return {"detail": " ".join(refused.messages), **getattr(refused, "message_dict", {})}
        except ApplicationError as refused:
            return {"detail": refused.message, "code": refused.code}
        return None

    async def chat_message(self, event):
        await self.send_json({"message": event["message"]})

    async def chat_status(self, event):
        await self.send_json({"chat": event["chat"]})


class RequesterChatConsumer(_ChatSocket):
    def chat_get(self, pk) -> Chat:
        return selectors.chat_get_for_requester(company=self.scope["company"], user=self.scope["user"], pk=pk)

    def author(self) -> Author:
        return Author.requester(self.scope["user"])


class StaffChatConsumer(_ChatSocket):
    actions = ("close", "convert")

    def chat_get(self, pk) -> Chat:
        return selectors.chat_get_for_staff(user=self.scope["user"], pk=pk)

    def author(self) -> Author:
        return Author.staff(self.scope["user"])


class StaffChatListConsumer(AsyncJsonWebsocketConsumer):
    """The waiting and active chats, then each chat's summary whenever it changes."""

    async def connect(self):
        await self.accept(subprotocol=self.scope.get("subprotocol"))
        await self.channel_layer.group_add(services.staff_group(), self.channel_name)
        await self.send_json({"chats": await self._open_chats()})

    @in_company
    def _open_chats(self) -> list[dict]:
        return [
            services.summary_data(chat, preview=chat.preview or "")
            for chat in selectors.chats_open_for_staff()
        ]

    async def disconnect(self, code):
        await self.channel_layer.group_discard(services.staff_group(), self.channel_name)

    async def chat_summary(self, event):
        await self.send_json({"chat": event["chat"]})
