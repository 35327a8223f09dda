"""The contract chat over REST (/api/v1/chats/): what a reconnecting client missed, posting
and marking read go through the same services as the websocket."""

from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from erp.access import EVERYONE, ActionRoles, contracts_visible_to, documents_visible_to
from erp.contracts.models import Contract
from erp.documents.models import Document

from . import services
from .models import ChatRoom
from .services import message_id_error


class ChatRoomSerializer(serializers.ModelSerializer):
    contract_code = serializers.CharField(source="contract.code", read_only=True)
    unread = serializers.SerializerMethodField()

    class Meta:
        model = ChatRoom
        fields = ["id", "contract", "contract_code", "unread", "created_at"]

    def get_unread(self, room) -> int:
        return services.chat_unread_count(room=room, user=self.context["request"].user)


class ChatMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    room = serializers.IntegerField(read_only=True)
    author = serializers.EmailField(read_only=True)
    author_name = serializers.CharField(read_only=True)
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    attachment = serializers.PrimaryKeyRelatedField(
        queryset=Document.objects.none(), required=False, allow_null=True
    )
    created_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, message):
        return services.message_data(message)


class ReadSerializer(serializers.Serializer):
    up_to = serializers.IntegerField(min_value=1)


class ChatViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Chat rooms of the contracts the user takes part in (``?contract=ID`` opens one)."""

    permission_classes = [ActionRoles]
    action_roles = dict.fromkeys(["list", "retrieve", "messages", "post_message", "read"], EVERYONE)
    serializer_class = ChatRoomSerializer
    filter_backends = []

    def get_queryset(self):
        visible = contracts_visible_to(self.request.user, Contract.objects.all()).values("pk")
        return ChatRoom.objects.filter(contract__in=visible).select_related("contract").order_by("-id")

    @extend_schema(parameters=[OpenApiParameter("contract", int, description="open this contract's room")])
    def list(self, request, *args, **kwargs):
        contract = request.query_params.get("contract")
        if contract is not None:
            if not contract.isdigit():
                raise NotFound
            try:
                room = services.chat_room_for(user=request.user, contract_id=int(contract))
            except Contract.DoesNotExist:
                raise NotFound from None
            except PermissionError:
                raise PermissionDenied from None
            return Response([self.get_serializer(room).data])
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[OpenApiParameter("after", int, description="only messages after this id")],
        responses=ChatMessageSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def messages(self, request, pk=None):
        after = request.query_params.get("after", "0")
        if not after.isdigit():
            return Response(
                {"detail": message_id_error(), "after": [message_id_error()]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        messages = services.chat_messages_after(room=self.get_object(), after=int(after))
        return Response([services.message_data(message) for message in messages])

    @extend_schema(request=ChatMessageSerializer, responses={201: ChatMessageSerializer})
    @messages.mapping.post
    def post_message(self, request, pk=None):
        room = self.get_object()
        serializer = ChatMessageSerializer(data=request.data)
        serializer.fields["attachment"].queryset = documents_visible_to(
            request.user, Document.objects.filter(Q(contract_id=room.contract_id))
        )
        serializer.is_valid(raise_exception=True)
        message = services.chat_message_post(
            room=room,
            user=request.user,
            text=serializer.validated_data.get("text", ""),
            attachment=serializer.validated_data.get("attachment"),
        )
        return Response(services.message_data(message), status=status.HTTP_201_CREATED)

    @extend_schema(request=ReadSerializer, responses=ChatRoomSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        room = self.get_object()
        serializer = ReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.chat_mark_read(room=room, user=request.user, up_to=serializer.validated_data["up_to"])
        return Response(self.get_serializer(room).data)
