"""``ws/contracts/<id>/chat/``: a contract's participants talk live. Joining is for
participants only (4403), an unknown or other company's contract closes 4404. A message
goes through ``chat_message_post`` (saved, then broadcast to the room's group)."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import ValidationError

from erp.contracts.models import Contract
from erp.notifications.triggers import room_enter, room_leave
from triboka.errors import ApplicationError
from triboka.websockets import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, group_name, in_company

from . import services
from .services import message_id_error


class ContractChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.accept(subprotocol=self.scope.get("subprotocol"))
        outcome = await self._join()
        if outcome is not None:
            await self.close(code=outcome)
            return
        await self.channel_layer.group_add(self.group, self.channel_name)

    @in_company
    def _join(self) -> int | None:
        try:
            self.room = services.chat_room_for(
                user=self.scope["user"], contract_id=self.scope["url_route"]["kwargs"]["contract_id"]
            )
        except Contract.DoesNotExist:
            return CLOSE_NOT_FOUND
        except PermissionError:
            return CLOSE_FORBIDDEN
        self.group = group_name(self.scope["schema_name"], "contract", self.room.contract_id, "chat")
        room_enter(self.room.pk, self.scope["user"].pk)
        return None

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self._leave()

    @in_company
    def _leave(self):
        room_leave(self.room.pk, self.scope["user"].pk)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self.send_json({"error": {"detail": "Send a JSON object."}})
            return
        error = await self._post(content)
        if error:
            await self.send_json({"error": error})

    @in_company
    def _post(self, content: dict) -> dict | None:
        if content.get("type") == "read":
            up_to = content.get("up_to")
            if not isinstance(up_to, int) or isinstance(up_to, bool):
                return {"detail": message_id_error(), "up_to": [message_id_error()]}
            services.chat_mark_read(room=self.room, user=self.scope["user"], up_to=up_to)
            return None
        try:
            services.chat_message_post(
                room=self.room, user=self.scope["user"], text=str(content.get("text", ""))
            )
        except ValidationError as refused:
            return {"detail": " ".join(refused.messages), **getattr(refused, "message_dict", {})}
        except ApplicationError as refused:
            return {"detail": refused.message, "code": refused.code}
        return None

    async def chat_message(self, event):
        await self.send_json({"message": event["message"]})
