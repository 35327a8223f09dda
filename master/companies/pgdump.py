"""PostgreSQL's client programs (pg_dump, pg_restore, psql) run against the default
database, and a plain connection for what must happen beside Django's.

Used for the template snapshot, a deleted company's final dump, and backups and restores
(master/backups).
"""

import os
import re
import shutil
import subprocess
import tempfile
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


def client_binary(name: str) -> str:
    """``pg_restore`` or ``psql`` from the same installation as the chosen pg_dump."""
    sibling = Path(pg_dump_binary()).with_name(name)
    if sibling.exists():
        return str(sibling)
    found = shutil.which(name)
    if not found:
        raise PgDumpError(f"{name} was not found beside {pg_dump_binary()} nor on the PATH.")
    return found


def pg_dump_version() -> str:
    output = subprocess.run([pg_dump_binary(), "--version"], capture_output=True, text=True).stdout
    match = re.search(r"\d+(?:\.\d+)+", output)  # "pg_dump (PostgreSQL) 15.20 (Debian ...)"
    return match.group(0) if match else output.strip()


def connect(**options):
    """A psycopg connection of its own to the default database (not Django's)."""
    import psycopg

    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname=db["NAME"],
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        **options,
    )


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


def pg_dump_directory(
    schemas: list[str], output: Path, *, snapshot: str | None = None, jobs: int = 1
) -> None:
    """Dump several schemas at once in pg_dump's directory format.

    pg_dump reads the whole catalog whatever it dumps (1.4 s a call at 500 schemas), so a
    chunk of companies is dumped by one call and each company's SQL extracted from it
    afterwards with ``pg_restore_schema_sql``, which reads only the dump.
    """
    args, env = _connection_arguments()
    command = [
        pg_dump_binary(),
        *args,
        "--format=directory",
        "--file",
        str(output),
        "--no-owner",
        "--no-privileges",
        "--quote-all-identifiers",  # every reference to the schema is "<schema>", see restore
        f"--jobs={max(1, jobs)}",
    ]
    if snapshot:
        command.append(f"--snapshot={snapshot}")
    for schema in schemas:
        command += ["--schema", schema]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=6 * 3600)
    if result.returncode != 0:
        raise PgDumpError(f"pg_dump of {len(schemas)} schemas failed: {result.stderr.strip()}")


def pg_restore_schema_sql(dump_directory: Path, schema: str):
    """A running pg_restore printing one schema's SQL (without CREATE SCHEMA) on stdout."""
    command = [
        client_binary("pg_restore"),
        "--schema",
        schema,
        "--no-owner",
        "--no-privileges",
        "--file",
        "-",
        str(dump_directory),
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def psql_run(lines, *, description: str) -> None:
    """Feed SQL lines (bytes) to psql in one transaction; stops at the first error."""
    args, env = _connection_arguments()
    command = [
        client_binary("psql"),
        *args,
        "--no-psqlrc",
        "--quiet",
        "--single-transaction",
        "--set",
        "ON_ERROR_STOP=1",
        "--file",
        "-",
    ]
    with (
        tempfile.TemporaryFile() as errors,  # a file, not a pipe: psql never blocks on it
        subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors, env=env
        ) as process,
    ):
        try:
            for line in lines:
                process.stdin.write(line)
            process.stdin.close()
        except BrokenPipeError:
            pass  # psql stopped at an error: reported below
        process.wait()
        if process.returncode != 0:
            errors.seek(0)
            raise PgDumpError(f"{description} failed: {errors.read().decode(errors='replace').strip()}")
