"""A user's own notifications (/api/v1/notifications/), their choices per kind and channel,
and the phone app's devices (/api/v1/devices/)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from erp.access import EVERYONE, ActionRoles

from . import services
from .models import Channel, Device, Notification, NotificationKind


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read"]

    def get_read(self, note) -> bool:
        return note.read_at is not None


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=1000)


def _channel_choices():
    return serializers.DictField(child=serializers.BooleanField(), required=False)


class PreferencesSerializer(serializers.Serializer):
    """``{"chat_message": {"email": false}, ...}``: only what changes."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send an object of kinds."]})
        errors, choices = {}, {}
        for kind, channels in data.items():
            if kind not in NotificationKind.values:
                errors[kind] = ["Unknown kind."]
                continue
            if not isinstance(channels, dict):
                errors[kind] = ["Send an object of channels."]
                continue
            for channel, enabled in channels.items():
                if channel not in Channel.values or not isinstance(enabled, bool):
                    errors[kind] = [f"Channels are {', '.join(Channel.values)}, each true or false."]
                    break
                choices[(kind, channel)] = enabled
        if errors:
            raise serializers.ValidationError(errors)
        return choices


def preferences_data(user) -> dict:
    chosen = services.preferences_of(user)
    return {
        "push_enabled": services.push_enabled(),
        "preferences": {
            kind: {channel: chosen[(kind, channel)] for channel in Channel} for kind in NotificationKind
        },
    }


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's notifications, newest first; ``?unread=true`` for the unread ones."""

    permission_classes = [ActionRoles]
    action_roles = dict.fromkeys(["list", "read", "preferences", "set_preferences"], EVERYONE)
    serializer_class = NotificationSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Notification.objects.none()
        notes = Notification.objects.filter(user=self.request.user).order_by("-id")
        if self.request.query_params.get("unread") in ("true", "1"):
            notes = notes.filter(read_at__isnull=True)
        return notes

    @extend_schema(parameters=[OpenApiParameter("unread", bool)])
    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.data["unread"] = services.unread_count(request.user)
        return response

    @extend_schema(request=MarkReadSerializer, responses={200: dict})
    @action(detail=False, methods=["post"])
    def read(self, request):
        """Mark these ids (or every notification, without ``ids``) as read."""
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = services.notifications_mark_read(user=request.user, ids=serializer.validated_data.get("ids"))
        return Response({"marked": marked, "unread": services.unread_count(request.user)})

    @extend_schema(responses={200: dict})
    @action(detail=False, methods=["get"])
    def preferences(self, request):
        return Response(preferences_data(request.user))

    @extend_schema(request=dict, responses={200: dict})
    @preferences.mapping.put
    def set_preferences(self, request):
        serializer = PreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.preferences_set(user=request.user, choices=serializer.validated_data)
        return Response(preferences_data(request.user))


class DeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "token", "platform", "created_at"]
        extra_kwargs = {"token": {"validators": []}}


class DeviceViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The caller's phone app registrations for push (FCM tokens); registering a token again
    moves it to the caller."""

    permission_classes = [ActionRoles]
    action_roles = dict.fromkeys(["list", "create", "destroy"], EVERYONE)
    serializer_class = DeviceSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Device.objects.none()
        return Device.objects.filter(user=self.request.user).order_by("-id")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device, _created = Device.objects.update_or_create(
            token=serializer.validated_data["token"],
            defaults={"user": request.user, "platform": serializer.validated_data["platform"]},
        )
        return Response(self.get_serializer(device).data, status=status.HTTP_201_CREATED)
