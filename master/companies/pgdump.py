"""pg_dump of one schema, with the connection settings of the default database.

Used for the template snapshot and for a deleted company's final dump (backups later).
"""

import os
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import connection


class PgDumpError(RuntimeError):
    pass


@lru_cache(maxsize=1)
def pg_dump_binary() -> str:
    """A pg_dump at least as new as the server (pg_dump refuses older servers only)."""
    server_major = connection.pg_version // 10000
    for candidate in _candidates():
        if candidate and _major_version(candidate) >= server_major:
            return candidate
    raise PgDumpError(
        f"No pg_dump of version {server_major} or newer was found; install the PostgreSQL "
        f"client {server_major} (postgresql-client-{server_major}) or set PG_DUMP."
    )


def _candidates():
    yield settings.PG_DUMP
    yield from sorted((str(p) for p in Path("/usr/lib/postgresql").glob("*/bin/pg_dump")), reverse=True)
    yield shutil.which("pg_dump") or ""
    yield _pgserver_pg_dump()


def _pgserver_pg_dump() -> str:
    try:
        import pgserver
    except ImportError:
        return ""
    path = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_dump"
    return str(path) if path.exists() else ""


def _major_version(binary: str) -> int:
    try:
        output = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout
    except OSError:
        return 0
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(match.group(1)) if match else 0


def _connection_arguments() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    return args, env


def pg_dump(schema: str, *extra: str, output: Path | None = None) -> str:
    """Dump one schema; returns the SQL text, or writes to ``output`` when given."""
    args, env = _connection_arguments()
    command = [pg_dump_binary(), *args, "--schema", schema, "--no-owner", "--no-privileges", *extra]
    if output is not None:
        command += ["--file", str(output)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
    if result.returncode != 0:
        raise PgDumpError(f"pg_dump of schema {schema} failed: {result.stderr.strip()}")
    return result.stdout
