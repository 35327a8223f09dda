"""Export of one company's ERP: every record as JSON, the documents' files, a manifest."""

import hashlib
import io
import json
import zipfile
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tenants.utils import tenant_context

FORMAT_VERSION = 1
ERP_APPS = [
    "partners",
    "contracts",
    "lots",
    "documents",
    "calculator",
    "market",
    "iot",
    "ledger",
    "reception",
    "quality",
    "processing",
    "inventory",
    "eudr",
    "export",
    "finance",
]
USER_FIELDS = ("email", "full_name", "role", "language", "is_active", "date_joined", "last_login")


def _all_rows(model):
    """Every row, soft-deleted ones included."""
    manager = getattr(model, "all_objects", model._base_manager)
    return manager.order_by("pk")


def company_export(*, company, destination: Path, progress=lambda message: None) -> dict:
    """Write ``destination`` (a zip) and return its manifest."""
    manifest = {
        "format": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "company": {
            "name": company.name,
            "slug": company.slug,
            "ruc": company.ruc,
            "kind": company.kind,
            "schema": company.schema_name,
        },
        "records": {},
        "documents": [],
    }
    with tenant_context(company), zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        for label in ERP_APPS:
            for model in apps.get_app_config(label).get_models():
                name = model._meta.label_lower
                with archive.open(f"records/{name}.json", "w") as raw:
                    stream = io.TextIOWrapper(raw, encoding="utf-8")
                    serializers.serialize("json", _all_rows(model).iterator(), stream=stream)
                    stream.flush()
                    stream.detach()
                manifest["records"][name] = _all_rows(model).count()
                progress(f"{name}: {manifest['records'][name]}")
        _export_users(archive, manifest)
        _export_files(archive, manifest, progress)
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, default=str))
    return manifest


def _export_users(archive, manifest) -> None:
    user_model = apps.get_model("accounts", "User")
    users = [
        dict(id=u["id"], **{f: u[f] for f in USER_FIELDS})
        for u in user_model.objects.order_by("pk").values("id", *USER_FIELDS)
    ]
    archive.writestr("records/accounts.user.json", json.dumps(users, indent=2, default=str))
    manifest["records"]["accounts.user"] = len(users)  # without password hashes


def _export_files(archive, manifest, progress) -> None:
    document_model = apps.get_model("documents", "Document")
    for document in document_model.all_objects.order_by("pk").iterator():
        with default_storage.open(document.file.name, "rb") as source:
            digest = hashlib.sha256()
            with archive.open(f"files/{document.file.name}", "w") as target:
                for chunk in iter(lambda: source.read(1024 * 1024), b""):
                    digest.update(chunk)
                    target.write(chunk)
        manifest["documents"].append(
            {
                "id": document.pk,
                "path": f"files/{document.file.name}",
                "original_name": document.original_name,
                "sha256": digest.hexdigest(),
                "intact": digest.hexdigest() == document.sha256,
            }
        )
    progress(f"documents: {len(manifest['documents'])} files")
