"""The storage backup archives go to: STORAGES["backups"], built at each use so that the
folder follows BACKUP_ROOT (a setting the tests and the operator may change)."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.utils.module_loading import import_string


def backup_storage() -> Storage:
    config = settings.STORAGES["backups"]
    backend = import_string(config["BACKEND"])
    options = dict(config.get("OPTIONS") or {})
    if issubclass(backend, FileSystemStorage) and "location" not in options:
        options["location"] = Path(settings.BACKUP_ROOT) / "archives"
    return backend(**options)


def storage_files(storage: Storage, folder: str = ""):
    """Every file under ``folder`` of a storage, as names relative to the storage."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(folders):
        yield from storage_files(storage, f"{folder}/{name}" if folder else name)
