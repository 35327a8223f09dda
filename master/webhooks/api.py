"""Webhook APIs: Triboka staff manage every subscription under /api/master/ on the root
domain; a company's admins manage their own company's under /api/v1/ on its site.

Both are the same views over a different set of subscriptions (``subscriptions()``): the
one place where who sees what is decided. The secret is in the answer of a creation or a
rotation only.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from erp.access import ADMIN, ActionRoles
from master.companies.api import IsMasterStaff, company_slug_field

from . import services
from .models import Delivery, DeliveryStatus, Event, Subscription, subscribable_events


class SubscriptionSerializer(serializers.ModelSerializer):
    company = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    events = serializers.ListField(child=serializers.ChoiceField(choices=Event.choices), read_only=True)

    class Meta:
        model = Subscription
        fields = [
            "id",
            "company",
            "url",
            "events",
            "description",
            "owner_email",
            "is_active",
            "disabled_reason",
            "disabled_at",
            "consecutive_failures",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SubscriptionWithSecretSerializer(SubscriptionSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="Signs every delivery (Triboka-Signature); shown only this once."
    )

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields


def _event_choices():
    return [(value, label) for value, label in Event.choices if value in subscribable_events()]


class SubscriptionWriteSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(child=serializers.ChoiceField(choices=_event_choices()), allow_empty=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)
    owner_email = serializers.EmailField(
        required=False, help_text="Told when the subscription is disabled; default: yours."
    )


class MasterSubscriptionWriteSerializer(SubscriptionWriteSerializer):
    company = company_slug_field(required=False, allow_null=True)


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id",
            "subscription",
            "company_slug",
            "event",
            "event_id",
            "status",
            "attempts",
            "max_attempts",
            "next_attempt_at",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "response_excerpt",
            "duration_ms",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class DeliveryDetailSerializer(DeliverySerializer):
    payload = serializers.JSONField(read_only=True)

    class Meta(DeliverySerializer.Meta):
        fields = [*DeliverySerializer.Meta.fields, "payload"]
        read_only_fields = fields


def _deliveries_filtered(deliveries: QuerySet, params) -> QuerySet:
    if params.get("subscription", "").isdigit():
        deliveries = deliveries.filter(subscription_id=int(params["subscription"]))
    if params.get("status") in DeliveryStatus.values:
        deliveries = deliveries.filter(status=params["status"])
    if params.get("event") in Event.values:
        deliveries = deliveries.filter(event=params["event"])
    if params.get("company"):
        deliveries = deliveries.filter(company_slug=params["company"])
    return deliveries


DELIVERY_FILTERS = [
    OpenApiParameter("subscription", int),
    OpenApiParameter("status", str),
    OpenApiParameter("event", str),
    OpenApiParameter("company", str, description="Subdomain of the event's company (master API)."),
]


class _SubscriptionViews(viewsets.GenericViewSet):
    serializer_class = SubscriptionSerializer
    write_serializer_class = SubscriptionWriteSerializer

    def subscriptions(self) -> QuerySet:
        raise NotImplementedError

    def company_for_new(self, data: dict):
        raise NotImplementedError

    def get_queryset(self):
        return self.subscriptions()

    def _get(self, pk) -> Subscription:
        return get_object_or_404(self.subscriptions(), pk=pk)

    def _answer(self, subscription, serializer=SubscriptionSerializer, code=status.HTTP_200_OK):
        return Response(serializer(subscription).data, status=code)

    @extend_schema(
        parameters=[OpenApiParameter("is_active", bool)], responses=SubscriptionSerializer(many=True)
    )
    def list(self, request):
        subscriptions = self.subscriptions()
        is_active = request.query_params.get("is_active", "").lower()
        if is_active in ("true", "false", "1", "0"):
            subscriptions = subscriptions.filter(is_active=is_active in ("true", "1"))
        page = self.paginate_queryset(subscriptions)
        return self.get_paginated_response(SubscriptionSerializer(page, many=True).data)

    @extend_schema(responses=SubscriptionSerializer)
    def retrieve(self, request, pk=None):
        return self._answer(self._get(pk))

    def create(self, request):
        serializer = self.write_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        subscription = services.subscription_create(
            company=self.company_for_new(data),
            url=data["url"],
            events=data["events"],
            owner_email=data.get("owner_email") or request.user.email,
            description=data.get("description", ""),
            created_by=request.user.email,
        )
        return self._answer(subscription, SubscriptionWithSecretSerializer, status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        subscription = self._get(pk)
        serializer = self.write_serializer_class(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return self._answer(
            services.subscription_update(subscription=subscription, **serializer.validated_data)
        )

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.subscription_delete(subscription=self._get(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={202: DeliveryDetailSerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Send a ``ping`` event to this endpoint now (once, not retried); see its delivery."""
        delivery = services.subscription_ping(subscription=self._get(pk))
        delivery.refresh_from_db()  # done already when tasks run inline
        return Response(DeliveryDetailSerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=SubscriptionSerializer)
    @action(detail=True, methods=["post"])
    def enable(self, request, pk=None):
        return self._answer(services.subscription_enable(subscription=self._get(pk)))

    @extend_schema(request=None, responses=SubscriptionSerializer)
    @action(detail=True, methods=["post"])
    def disable(self, request, pk=None):
        return self._answer(services.subscription_disable(subscription=self._get(pk)))

    @extend_schema(request=None, responses=SubscriptionWithSecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        subscription = services.subscription_secret_rotate(subscription=self._get(pk))
        return self._answer(subscription, SubscriptionWithSecretSerializer)

    @extend_schema(parameters=DELIVERY_FILTERS[1:3], responses=DeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        deliveries = _deliveries_filtered(self._get(pk).deliveries.all(), request.query_params)
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)


class _DeliveryViews(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DeliveryDetailSerializer

    def subscriptions(self) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self):
        deliveries = Delivery.objects.filter(subscription__in=self.subscriptions())
        if self.action == "list":
            return _deliveries_filtered(deliveries.defer("payload"), self.request.query_params)
        return deliveries

    def get_serializer_class(self):
        return DeliverySerializer if self.action == "list" else DeliveryDetailSerializer

    @extend_schema(parameters=DELIVERY_FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={202: DeliveryDetailSerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        """Send a failed delivery's event again, as a new delivery (same event id)."""
        again = services.delivery_redeliver(delivery=self.get_object())
        again.refresh_from_db()
        return Response(DeliveryDetailSerializer(again).data, status=status.HTTP_202_ACCEPTED)


# --- the master API (root domain, staff) ---------------------------------------------


class MasterSubscriptionViewSet(_SubscriptionViews):
    """Webhook subscriptions of every company, and platform-wide ones (no company: they
    receive the events of every company)."""

    permission_classes = [IsMasterStaff]
    write_serializer_class = MasterSubscriptionWriteSerializer

    def subscriptions(self):
        subscriptions = Subscription.objects.select_related("company")
        company = self.request.query_params.get("company")
        if company:
            subscriptions = subscriptions.filter(company__slug=company)
        return subscriptions

    def company_for_new(self, data):
        return data.get("company")

    @extend_schema(
        parameters=[OpenApiParameter("company", str), OpenApiParameter("is_active", bool)],
        responses=SubscriptionSerializer(many=True),
    )
    def list(self, request):
        return super().list(request)

    @extend_schema(
        request=MasterSubscriptionWriteSerializer, responses={201: SubscriptionWithSecretSerializer}
    )
    def create(self, request):
        return super().create(request)

    @extend_schema(request=MasterSubscriptionWriteSerializer, responses=SubscriptionSerializer)
    def update(self, request, pk=None, partial=False):
        return super().update(request, pk=pk, partial=partial)

    @extend_schema(request=MasterSubscriptionWriteSerializer, responses=SubscriptionSerializer)
    def partial_update(self, request, pk=None):
        return super().partial_update(request, pk=pk)


class MasterDeliveryViewSet(_DeliveryViews):
    """The delivery log of every subscription."""

    permission_classes = [IsMasterStaff]

    def subscriptions(self):
        return Subscription.objects.all()


# --- a company's API (its site, company admins) --------------------------------------

COMPANY_ACTIONS = (
    "list",
    "retrieve",
    "create",
    "update",
    "partial_update",
    "destroy",
    "test",
    "enable",
    "disable",
    "rotate_secret",
    "deliveries",
    "redeliver",
)


def _own_subscriptions(request) -> QuerySet:
    """The subscriptions of the company whose site this is (none where there is no company,
    as when the OpenAPI schema is generated)."""
    company = getattr(request, "company", None)
    if company is None:
        return Subscription.objects.none()
    return Subscription.objects.filter(company_id=company.pk)


class CompanySubscriptionViewSet(_SubscriptionViews):
    """Your company's webhook subscriptions (administrators only)."""

    permission_classes = [ActionRoles]
    action_roles = dict.fromkeys(COMPANY_ACTIONS, ADMIN)

    def subscriptions(self):
        return _own_subscriptions(self.request).select_related("company")

    def company_for_new(self, data):
        return self.request.company

    @extend_schema(request=SubscriptionWriteSerializer, responses={201: SubscriptionWithSecretSerializer})
    def create(self, request):
        return super().create(request)

    @extend_schema(request=SubscriptionWriteSerializer, responses=SubscriptionSerializer)
    def update(self, request, pk=None, partial=False):
        return super().update(request, pk=pk, partial=partial)

    @extend_schema(request=SubscriptionWriteSerializer, responses=SubscriptionSerializer)
    def partial_update(self, request, pk=None):
        return super().partial_update(request, pk=pk)


class CompanyDeliveryViewSet(_DeliveryViews):
    """The delivery log of your company's subscriptions (administrators only)."""

    permission_classes = [ActionRoles]
    action_roles = dict.fromkeys(COMPANY_ACTIONS, ADMIN)

    def subscriptions(self):
        return _own_subscriptions(self.request)
