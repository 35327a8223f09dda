"""Master API for backups (root domain, staff only): list them, see one, queue new ones."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from master.companies.api import IsMasterStaff, company_slug_field

from . import services
from .models import Backup, BackupStatus


class BackupSerializer(serializers.ModelSerializer):
    company = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Backup
        fields = [
            "id",
            "company",
            "company_slug",
            "schema_name",
            "kind",
            "day",
            "status",
            "requested_by",
            "archive",
            "size",
            "sha256",
            "rows",
            "files",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class BackupRequestSerializer(serializers.Serializer):
    company = company_slug_field()


class BackupViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Backups of every company (?company=<subdomain>, ?status=); POST queues a backup of
    one company, written by a worker (poll the returned backup's status)."""

    permission_classes = [IsMasterStaff]
    serializer_class = BackupSerializer

    def get_queryset(self):
        backups = Backup.objects.select_related("company")
        params = self.request.query_params
        if params.get("company"):
            backups = backups.filter(company_slug=params["company"])
        if params.get("status") in BackupStatus.values:
            backups = backups.filter(status=params["status"])
        return backups

    @extend_schema(parameters=[OpenApiParameter("company", str), OpenApiParameter("status", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=BackupRequestSerializer, responses={202: BackupSerializer})
    def create(self, request):
        serializer = BackupRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        (backup,) = services.backups_queue(
            companies=[serializer.validated_data["company"]], requested_by=request.user.email
        )
        backup.refresh_from_db()  # as it stands now: queued, or already done when tasks run inline
        return Response(BackupSerializer(backup).data, status=status.HTTP_202_ACCEPTED)
