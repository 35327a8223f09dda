"""The tenant template schema, and new company schemas copied from it.

Running every migration for a new company costs about a second and django-tenants'
clone function is no faster (ARCHITECTURE.md, section 9). Instead:

* ``tenant_template`` is a real, empty, fully migrated company schema. ``migrate_schemas``
  migrates it before the companies (see ``get_migration_executor``), so it never falls behind.
* Its SQL (``pg_dump --inserts``: tables, constraints, sequences at 1, and the rows every
  schema shares: applied migrations, content types, permissions) is stored once per
  migration state as a ``TemplateSnapshot``, with the schema name as a placeholder.
* Provisioning replays that SQL under the new name inside the provisioning transaction,
  so a failure leaves no schema behind.
"""

import hashlib
import logging
import re
from functools import lru_cache

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.migration_executors import get_executor
from django_tenants.utils import get_public_schema_name, quote_schema_name, schema_exists

from .models import TemplateSnapshot
from .pgdump import pg_dump

logger = logging.getLogger(__name__)

PLACEHOLDER = '"__triboka_schema__"'
_sql_cache: dict[str, str] = {}


def template_schema() -> str:
    return settings.TENANT_TEMPLATE_SCHEMA


# --- keeping the template migrated ---------------------------------------------------------


def get_migration_executor(codename=None):
    """django-tenants' executor, migrating the template first whenever all companies are.

    Named by the GET_EXECUTOR_FUNCTION setting; creates the template on a fresh database.
    """
    base = get_executor(codename)

    class TemplateFirstExecutor(base):
        def run_migrations(self, tenants=None):
            tenants = list(tenants or [])
            migrating_all_companies = get_public_schema_name() not in tenants and not self.options.get(
                "schema_name"
            )
            if migrating_all_companies:
                _schema_create_if_missing(template_schema())
                tenants = [template_schema(), *[t for t in tenants if t != template_schema()]]
            super().run_migrations(tenants=tenants)

    return TemplateFirstExecutor


def _schema_create_if_missing(schema: str) -> None:
    if not schema_exists(schema):
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {quote_schema_name(schema)}")


def template_ensure(*, verbosity: int = 0) -> bool:
    """Create and migrate the template if it is missing or behind; True when it changed."""
    if schema_exists(template_schema()) and not template_pending_migrations():
        return False
    _schema_create_if_missing(template_schema())
    call_command(
        "migrate_schemas",
        schema_name=template_schema(),
        interactive=False,
        verbosity=verbosity,
    )
    return True


@lru_cache(maxsize=1)
def _code_leaf_migrations() -> frozenset[tuple[str, str]]:
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def _template_applied_migrations() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT app, name FROM {quote_schema_name(template_schema())}.django_migrations "
            "ORDER BY app, name"
        )
        return cursor.fetchall()


def template_pending_migrations() -> set[tuple[str, str]]:
    applied = set(_template_applied_migrations())
    return set(_code_leaf_migrations()) - applied


# --- the snapshot ------------------------------------------------------------------------


def _fingerprint(applied: list[tuple[str, str]]) -> str:
    return hashlib.sha256(repr(applied).encode()).hexdigest()


def template_sql() -> str:
    """The template's SQL with a schema placeholder, current with its migrations.

    One small query when nothing changed; a pg_dump (about a second) after a migration.
    """
    if not schema_exists(template_schema()) or template_pending_migrations():
        template_ensure()
    fingerprint = _fingerprint(_template_applied_migrations())
    if fingerprint in _sql_cache:
        return _sql_cache[fingerprint]
    snapshot = TemplateSnapshot.objects.filter(fingerprint=fingerprint).first()
    sql = snapshot.sql if snapshot else _snapshot_store(fingerprint)
    _sql_cache.clear()
    _sql_cache[fingerprint] = sql
    return sql


def _snapshot_store(fingerprint: str) -> str:
    logger.info("Taking a new snapshot of the tenant template schema")
    sql = _portable_sql(
        pg_dump(
            template_schema(), "--inserts", "--quote-all-identifiers", "--no-comments", "--no-tablespaces"
        )
    )
    TemplateSnapshot.objects.bulk_create(
        [TemplateSnapshot(fingerprint=fingerprint, sql=sql)], ignore_conflicts=True
    )
    return sql


_SESSION_STATEMENT = re.compile(r"^(SET |SELECT pg_catalog\.set_config|\\)")


def _portable_sql(dump: str) -> str:
    """Drop session settings and psql meta-commands; put a placeholder for the schema."""
    quoted = quote_schema_name(template_schema())
    if not quoted.startswith('"'):
        quoted = f'"{template_schema()}"'
    lines = [
        line for line in dump.splitlines() if not _SESSION_STATEMENT.match(line) and not line.startswith("--")
    ]
    return "\n".join(lines).replace(quoted, PLACEHOLDER)


# --- creating a company schema -----------------------------------------------------------


def schema_create_from_template(schema: str, sql: str | None = None) -> None:
    """Create ``schema`` as a copy of the template, in the caller's transaction."""
    sql = sql if sql is not None else template_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql.replace(PLACEHOLDER, quote_schema_name(schema)))


def schema_drop(schema: str) -> None:
    if schema in (get_public_schema_name(), template_schema()):
        raise ValueError(f"Refusing to drop the {schema} schema.")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema_name(schema)} CASCADE")
