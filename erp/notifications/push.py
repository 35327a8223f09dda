"""Live delivery to a user's open pages and apps over ``ws/notifications/``."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from triboka.websockets import group_name


def user_group(schema_name: str, user_id: int) -> str:
    return group_name(schema_name, "user", user_id)


def push_to_user(*, schema_name: str, user_id: int, payload: dict) -> None:
    """Send ``payload`` to every socket the user has open on their company's site."""
    async_to_sync(get_channel_layer().group_send)(
        user_group(schema_name, user_id), {"type": "notification", "payload": payload}
    )
