"""``/api/support/tickets`` on both sides, as in the seed.

On a company site a signed-in user opens and follows its company's tickets (an administrator
all of them, anyone else its own); on the root domain Triboka staff see and work all of them.
The same paths answer on both; what a caller may see and change comes from ``selectors``
and the services.
"""

from django.db import connection
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from master.companies.models import Company
from triboka.accounts.models import User

from . import selectors, services
from .models import (
    SatisfactionResponse,
    Ticket,
    TicketAttachment,
    TicketCategory,
    TicketMessage,
    TicketPriority,
)
from .models import TicketStatus as Status


def on_root(request) -> bool:
    return getattr(request, "company", None) is None and connection.schema_name == get_public_schema_name()


class SupportAccess(permissions.BasePermission):
    """Staff on the root domain; signed-in users on a company site."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        return bool(user.is_staff) if on_root(request) else True


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = TicketAttachment
        fields = ["id", "original_name", "content_type", "size", "url"]

    def get_url(self, attachment) -> str:
        return f"/api/support/attachments/{attachment.pk}/"


class SupportMessageSerializer(serializers.ModelSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = TicketMessage
        fields = ["id", "author_kind", "author_name", "body", "is_internal", "created_at", "attachments"]


class SupportTicketSerializer(serializers.ModelSerializer):
    first_response_breached = serializers.SerializerMethodField()
    resolution_breached = serializers.SerializerMethodField()
    merged_into = serializers.SlugRelatedField(slug_field="number", read_only=True)
    satisfaction = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "subject",
            "category",
            "priority",
            "status",
            "module",
            "source",
            "requester_name",
            "requester_email",
            "created_at",
            "updated_at",
            "last_message_at",
            "first_response_at",
            "first_response_due",
            "resolution_due",
            "resolved_at",
            "closed_at",
            "reopened_count",
            "first_response_breached",
            "resolution_breached",
            "merged_into",
            "satisfaction",
        ]
        read_only_fields = fields

    def get_first_response_breached(self, ticket) -> bool:
        return ticket.first_response_late()

    def get_resolution_breached(self, ticket) -> bool:
        return ticket.resolution_late()

    def get_satisfaction(self, ticket) -> int | None:
        try:
            return ticket.satisfaction.rating
        except SatisfactionResponse.DoesNotExist:
            return None


class StaffTicketSerializer(SupportTicketSerializer):
    company = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    assignee_name = serializers.SerializerMethodField()

    class Meta(SupportTicketSerializer.Meta):
        fields = [*SupportTicketSerializer.Meta.fields, "company", "assignee", "assignee_name"]
        read_only_fields = fields

    def get_assignee_name(self, ticket) -> str:
        return (ticket.assignee.get_full_name() or ticket.assignee.email) if ticket.assignee else ""


class TicketOpenSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000)
    category = serializers.ChoiceField(choices=TicketCategory.choices)
    priority = serializers.ChoiceField(choices=TicketPriority.choices, default=TicketPriority.NORMAL)
    module = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class StaffTicketOpenSerializer(TicketOpenSerializer):
    company = serializers.SlugRelatedField(slug_field="slug", queryset=Company.objects.all())
    requester_email = serializers.EmailField()


class TicketChangeSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200, required=False)
    category = serializers.ChoiceField(choices=TicketCategory.choices, required=False)
    module = serializers.CharField(max_length=16, required=False, allow_blank=True)
    priority = serializers.ChoiceField(choices=TicketPriority.choices, required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_staff=True, is_active=True), required=False, allow_null=True
    )


class TicketReplySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000)
    internal = serializers.BooleanField(required=False, default=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class TicketMergeSerializer(serializers.Serializer):
    into = serializers.IntegerField()


class SatisfactionSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class TicketViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    permission_classes = [SupportAccess]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    search_fields = None
    filter_backends = []

    def get_queryset(self):
        params = self.request.query_params
        search, status_ = params.get("search", ""), params.get("status", "")
        if on_root(self.request):
            return selectors.ticket_list_for_staff(
                search=search, status=status_, company_slug=params.get("company", "")
            ).select_related("satisfaction", "merged_into")
        return selectors.ticket_list_for_company_user(
            user=self.request.user, company=self.request.company, search=search, status=status_
        ).select_related("satisfaction", "merged_into")

    def get_serializer_class(self):
        staff = on_root(self.request)
        if self.action == "create":
            return StaffTicketOpenSerializer if staff else TicketOpenSerializer
        if self.action in ("update", "partial_update"):
            return TicketChangeSerializer
        return StaffTicketSerializer if staff else SupportTicketSerializer

    def _out(self, ticket, code=status.HTTP_200_OK):
        serializer = StaffTicketSerializer if on_root(self.request) else SupportTicketSerializer
        return Response(serializer(ticket).data, status=code)

    @extend_schema(request=TicketOpenSerializer, responses={201: SupportTicketSerializer})
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        files = data.pop("files")
        if on_root(request):
            company = data.pop("company")
            requester = _requester_in(company, data.pop("requester_email"))
            source = services.TicketSource.STAFF
        else:
            company, requester, source = (
                request.company,
                services.Requester.of(request.user),
                services.TicketSource.API,
            )
        ticket = services.ticket_open(
            company=company, requester=requester, source=source, attachments=files, **data
        )
        return self._out(ticket, status.HTTP_201_CREATED)

    @extend_schema(request=TicketChangeSerializer, responses=SupportTicketSerializer)
    def update(self, request, pk=None, partial=True):
        ticket = self.get_object()
        serializer = TicketChangeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.ticket_update(ticket=ticket, by_staff=on_root(request), **serializer.validated_data)
        return self._out(self.get_queryset().get(pk=ticket.pk))

    @extend_schema(request=TicketReplySerializer, responses={200: SupportMessageSerializer(many=True)})
    @action(detail=True, methods=["get", "post"], serializer_class=TicketReplySerializer)
    def messages(self, request, pk=None):
        ticket = self.get_object()
        staff = on_root(request)
        if request.method == "GET":
            messages = selectors.ticket_messages(ticket=ticket, staff=staff)
            return Response(SupportMessageSerializer(messages, many=True).data)
        serializer = TicketReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        author = services.Author.staff(request.user) if staff else services.Author.requester(request.user)
        message = services.ticket_reply(
            ticket=ticket,
            author=author,
            body=data["body"],
            internal=data["internal"],
            attachments=data["files"],
            status=data.get("status") if staff else None,
        )
        return Response(SupportMessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=SupportTicketSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        ticket = services.ticket_reopen(ticket=self.get_object())
        return self._out(ticket)

    @extend_schema(request=TicketMergeSerializer, responses=StaffTicketSerializer)
    @action(detail=True, methods=["post"], serializer_class=TicketMergeSerializer)
    def merge(self, request, pk=None):
        if not on_root(request):
            raise Http404
        source = self.get_object()
        serializer = TicketMergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target = self.get_queryset().filter(pk=serializer.validated_data["into"]).first()
        if target is None:
            raise serializers.ValidationError({"into": [_("There is no such ticket.")]})
        return self._out(services.ticket_merge(source=source, target=target))

    @extend_schema(request=SatisfactionSerializer, responses=SupportTicketSerializer)
    @action(detail=True, methods=["post"], serializer_class=SatisfactionSerializer)
    def satisfaction(self, request, pk=None):
        if on_root(request):
            raise Http404
        ticket = self.get_object()
        serializer = SatisfactionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.satisfaction_answer(ticket=ticket, **serializer.validated_data)
        return self._out(self.get_queryset().get(pk=ticket.pk))


def _requester_in(company: Company, email: str) -> services.Requester:
    with schema_context(company.schema_name):
        user = User.objects.filter(email__iexact=email).first()
    if user is None:
        raise serializers.ValidationError(
            {"requester_email": [_("%(company)s has no user with this e-mail.") % {"company": company.name}]}
        )
    return services.Requester.of(user)


class AttachmentDownloadView(APIView):
    """A ticket's file, for whoever may see the ticket (never an internal note's to a company)."""

    permission_classes = [SupportAccess]

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk: int):
        attachment = attachment_for(request, pk)
        return attachment_response(attachment)


def attachment_for(request, pk) -> TicketAttachment:
    try:
        if on_root(request):
            return selectors.attachment_get_for_staff(pk=pk)
        return selectors.attachment_get_for_company_user(user=request.user, company=request.company, pk=pk)
    except TicketAttachment.DoesNotExist:
        raise Http404 from None


def attachment_response(attachment: TicketAttachment) -> FileResponse:
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
