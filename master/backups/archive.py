"""The backup archive of one company, and the facts that let a restore prove itself.

An archive is a tar file holding:

- ``schema.sql.gz``: the company schema's SQL (pg_dump, extracted per schema with
  pg_restore; every identifier quoted, so the schema's name appears only as ``"<schema>"``);
- ``media/<path>``: the company's files, as its storage names them;
- ``manifest.json``: format, app version, PostgreSQL and pg_dump versions, the company and its
  domains and licenses, the schema's applied migrations, each table's row count and checksum
  (taken in the same snapshot as the dump), and the size and SHA-256 of every member.

A table's checksum is the MD5 of its rows' text forms in sorted order: it does not depend on
the schema's name nor on the physical order of rows, so a restore under another name must
reproduce it exactly.
"""

import gzip
import hashlib
import io
import json
import shutil
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

from django_tenants.postgresql_backend.base import is_valid_schema_name

FORMAT = 1
KIND = "triboka-company-backup"
MANIFEST = "manifest.json"
SQL = "schema.sql.gz"
MEDIA = "media/"
CHUNK = 1024 * 1024


class ArchiveError(ValueError):
    """The archive is not a company backup, is damaged, or does not match its manifest."""


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def schema_facts(cursor, schema: str) -> dict:
    """Row counts and checksums of every table of ``schema``, and its applied migrations."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [schema])
    tables = {}
    for (table,) in cursor.fetchall():
        cursor.execute(
            "SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) "
            f"FROM {quote_identifier(schema)}.{quote_identifier(table)} t"
        )
        rows, checksum = cursor.fetchone()
        tables[table] = {"rows": rows, "checksum": checksum}
    migrations = []
    if "django_migrations" in tables:
        cursor.execute(
            f"SELECT app, name FROM {quote_identifier(schema)}.django_migrations ORDER BY app, name"
        )
        migrations = [list(row) for row in cursor.fetchall()]
    return {"tables": tables, "migrations": migrations}


def facts_differences(expected: dict, found: dict) -> list[str]:
    """What differs between the manifest's tables and a restored schema's, readably."""
    problems = []
    for table in sorted(set(expected) | set(found)):
        want, got = expected.get(table), found.get(table)
        if want is None:
            problems.append(f"{table}: not in the backup")
        elif got is None:
            problems.append(f"{table}: missing after the restore")
        elif want["rows"] != got["rows"]:
            problems.append(f"{table}: {got['rows']} rows, the backup has {want['rows']}")
        elif want["checksum"] != got["checksum"]:
            problems.append(f"{table}: same row count, different contents")
    return problems


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sql_write(process, destination: Path) -> dict:
    """Compress what a running pg_restore prints into ``destination``."""
    with gzip.open(destination, "wb", compresslevel=6) as target:
        shutil.copyfileobj(process.stdout, target, CHUNK)
    errors = process.stderr.read().decode(errors="replace")
    if process.wait() != 0:
        raise ArchiveError(f"pg_restore could not extract the schema: {errors.strip()}")
    return {"file": SQL, "bytes": destination.stat().st_size, "sha256": sha256_of(destination)}


def archive_write(destination: Path, *, manifest: dict, sql: Path, media_storage, media_names) -> dict:
    """Write the tar; adds the media files' sizes and checksums to ``manifest``, returned."""
    manifest = {**manifest, "media": []}
    with tarfile.open(destination, "w") as archive:
        archive.add(sql, arcname=SQL)
        for name in media_names:
            with media_storage.open(name, "rb") as source:
                spooled = destination.with_suffix(".part")
                with spooled.open("wb") as copy:
                    shutil.copyfileobj(source, copy, CHUNK)
            archive.add(spooled, arcname=MEDIA + name)
            manifest["media"].append(
                {"path": name, "bytes": spooled.stat().st_size, "sha256": sha256_of(spooled)}
            )
            spooled.unlink()
        body = json.dumps(manifest, indent=2, default=str).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime = len(body), time.time()
        archive.addfile(info, io.BytesIO(body))
    return manifest


@dataclass
class OpenedArchive:
    """An archive unpacked into a folder, every member checked against the manifest."""

    folder: Path
    manifest: dict

    @property
    def sql(self) -> Path:
        return self.folder / SQL

    @property
    def schema(self) -> str:
        return self.manifest["company"]["schema_name"]

    def media(self):
        """(storage name, local path) of every file."""
        for entry in self.manifest["media"]:
            yield entry["path"], self.folder / MEDIA / entry["path"]


def archive_open(source: Path, folder: Path) -> OpenedArchive:
    """Unpack ``source`` into ``folder`` and check it is a whole, untouched backup."""
    try:
        with tarfile.open(source, "r") as archive:
            archive.extractall(folder, filter="data")  # no paths outside the folder, no devices
    except (tarfile.TarError, OSError) as error:
        raise ArchiveError(f"{source} is not a readable backup archive ({error}).") from error
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise ArchiveError(
            f"{source} has no readable manifest; it is not a Triboka company backup."
        ) from error
    if manifest.get("kind") != KIND:
        raise ArchiveError(f"{source} is not a Triboka company backup.")
    if manifest.get("format") != FORMAT:
        raise ArchiveError(
            f"{source} is in backup format {manifest.get('format')}; this version reads format {FORMAT}."
        )
    opened = OpenedArchive(folder=folder, manifest=manifest)
    if not is_valid_schema_name(opened.schema):
        raise ArchiveError(f"{source} names an invalid schema {opened.schema!r}.")
    _members_check(opened)
    return opened


def _members_check(opened: OpenedArchive) -> None:
    expected = [(SQL, opened.manifest["sql"]["sha256"])]
    for entry in opened.manifest["media"]:
        name = Path(entry["path"])
        if name.is_absolute() or ".." in name.parts:
            raise ArchiveError(f"The archive names a file outside its company's folder: {entry['path']}.")
        expected.append((MEDIA + entry["path"], entry["sha256"]))
    for member, sha256 in expected:
        path = opened.folder / member
        if not path.is_file():
            raise ArchiveError(f"The archive lacks {member}.")
        if sha256_of(path) != sha256:
            raise ArchiveError(f"{member} does not match its checksum: the archive is damaged.")


def sql_lines_renamed(sql: Path, old_schema: str, new_schema: str):
    """The archive's SQL with every reference to ``old_schema`` naming ``new_schema``.

    Outside COPY data, the dump names the schema only as ``"<old>".`` (identifiers are all
    quoted), also inside strings such as ``nextval('"<old>"."seq"')``. Rows between
    ``COPY ... FROM stdin;`` and ``\\.`` are data and pass untouched.
    """
    old, new = f"{quote_identifier(old_schema)}.".encode(), f"{quote_identifier(new_schema)}.".encode()
    in_data = False
    with gzip.open(sql, "rb") as source:
        for line in source:
            if in_data:
                in_data = line != b"\\.\n"
            else:
                if line.startswith(b"COPY ") and line.rstrip().endswith(b"FROM stdin;"):
                    in_data = True
                line = line.replace(old, new)
            yield line
