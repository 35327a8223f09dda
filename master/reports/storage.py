"""The storage report files go to: STORAGES["reports"], built at each use so that the
folder follows REPORTS_ROOT (a setting the tests and the operator may change)."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.utils.module_loading import import_string


def report_storage() -> Storage:
    config = settings.STORAGES["reports"]
    backend = import_string(config["BACKEND"])
    options = dict(config.get("OPTIONS") or {})
    if issubclass(backend, FileSystemStorage) and "location" not in options:
        options["location"] = Path(settings.REPORTS_ROOT)
    return backend(**options)
