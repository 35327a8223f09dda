"""Authentication and profile endpoints, the same on the root domain and every company."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView, TokenRefreshView

from triboka.audit.models import AuditAction
from triboka.audit.services import audit_record

from . import services
from .models import Language
from .throttling import LoginThrottle
from .tokens import token_user

NOT_SELF_EDITABLE = ("role", "email", "company", "is_active")


class LoginView(TokenObtainPairView):
    """``{"email", "password"}`` -> ``{"access", "refresh"}``, valid on this site only."""

    throttle_classes = [LoginThrottle]

    def post(self, request, *args, **kwargs):
        """simplejwt's, recording the sign-in (no Django ``login()`` here, so no signal;
        failures are recorded by the ``user_login_failed`` signal)."""
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as error:
            raise InvalidToken(error.args[0]) from error
        audit_record(action=AuditAction.LOGIN, actor=serializer.user, target=serializer.user)
        return Response(serializer.validated_data, status=status.HTTP_200_OK)


class RefreshView(TokenRefreshView):
    """A new access token and a new refresh token; the old refresh token stops working."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        user = token_user(response.data["access"])
        audit_record(action=AuditAction.TOKEN_REFRESH, actor=user, target=user)
        return response


class LogoutView(TokenBlacklistView):
    """Blacklists the refresh token; answers 204."""

    def post(self, request, *args, **kwargs):
        super().post(request, *args, **kwargs)
        user = token_user(request.data["refresh"])
        audit_record(action=AuditAction.LOGOUT, actor=user, target=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CompanySummarySerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    kind = serializers.CharField()


class ProfileSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    role = serializers.CharField(read_only=True)
    company = serializers.SerializerMethodField()

    @extend_schema_field(CompanySummarySerializer(allow_null=True))
    def get_company(self, user):
        company = getattr(self.context.get("request"), "company", None)
        return CompanySummarySerializer(company).data if company is not None else None

    def validate(self, attrs):
        errors = {
            field: [_("You cannot change this yourself.")]
            for field in NOT_SELF_EDITABLE
            if field in self.initial_data
        }
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class MeView(APIView):
    """The signed-in user's profile: name and language are editable, role is not."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ProfileSerializer)
    def get(self, request):
        return Response(ProfileSerializer(request.user, context={"request": request}).data)

    @extend_schema(request=ProfileSerializer, responses=ProfileSerializer)
    def patch(self, request):
        serializer = ProfileSerializer(
            request.user, data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        user = services.user_update_profile(user=request.user, **serializer.validated_data)
        return Response(serializer.to_representation(user))
