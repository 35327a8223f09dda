"""S3-compatible storage with one key prefix per company, like django-tenants'
TenantFileSystemStorage does with folders (MEDIA_ROOT/<schema>/): keys are
``<schema>/documents/...``.

Selected through the environment (STORAGES["default"]); needs boto3
(``django-storages[s3]``) and the AWS_* settings of django-storages.
"""

from django.db import connection
from storages.backends.s3 import S3Storage


class TenantS3Storage(S3Storage):
    """``location`` follows the schema the connection is in, read at every call: one
    storage instance serves every company of the process."""

    base_location = ""  # optional fixed prefix before the schema (the "location" option)

    @property
    def location(self) -> str:
        return "/".join(part for part in (self.base_location.strip("/"), connection.schema_name) if part)

    @location.setter
    def location(self, value: str) -> None:
        self.base_location = value or ""
