"""Master API for the system settings (root domain, staff only): read and edit the row."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from master.companies.api import IsMasterStaff

from . import services
from .models import SystemSettings


class SystemSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = SystemSettings
        fields = [*services.EDITABLE_FIELDS, "updated_at"]
        read_only_fields = ["updated_at"]


class SystemSettingsView(GenericAPIView):
    """The system settings: base domain, support e-mail, limits of new licenses (null:
    unlimited), license grace period, and what `manage.py render_nginx` writes."""

    permission_classes = [IsMasterStaff]
    serializer_class = SystemSettingsSerializer

    @extend_schema(responses=SystemSettingsSerializer)
    def get(self, request):
        return Response(SystemSettingsSerializer(services.system_settings_row()).data)

    @extend_schema(request=SystemSettingsSerializer, responses=SystemSettingsSerializer)
    def put(self, request, partial=False):
        serializer = SystemSettingsSerializer(
            services.system_settings_row(), data=request.data, partial=partial
        )
        serializer.is_valid(raise_exception=True)
        row = services.system_settings_update(**serializer.validated_data)
        return Response(SystemSettingsSerializer(row).data)

    @extend_schema(request=SystemSettingsSerializer, responses=SystemSettingsSerializer)
    def patch(self, request):
        return self.put(request, partial=True)
