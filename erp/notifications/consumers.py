"""``ws/notifications/``: the signed-in user's live notifications (their own group only)."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .push import user_group


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.group = user_group(self.scope["schema_name"], self.scope["user"].pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept(subprotocol=self.scope.get("subprotocol"))

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def notification(self, event):
        await self.send_json(event["payload"])
