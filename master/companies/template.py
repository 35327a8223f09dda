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
from django.utils.translation import gettext as _
from django_tenants.migration_executors import get_executor
from django_tenants.utils import get_public_schema_name, quote_schema_name, schema_exists

from triboka.errors import ApplicationError

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


# Bump when the snapshot's SQL is built differently, so old snapshots are not reused.
SNAPSHOT_FORMAT = 2


def _fingerprint(applied: list[tuple[str, str]]) -> str:
    """Applied migrations, plus the rows post_migrate adds after them (content types and
    permissions), so a snapshot taken halfway through a migrate is never reused."""
    schema = quote_schema_name(template_schema())
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT count(*) FROM {schema}.django_content_type), "
            f"(SELECT count(*) FROM {schema}.auth_permission)"
        )
        rows_added_after = cursor.fetchone()
    state = (SNAPSHOT_FORMAT, applied, rows_added_after)
    return hashlib.sha256(repr(state).encode()).hexdigest()


def template_sql(*, migrate_if_behind: bool = False) -> str:
    """The template's SQL with a schema placeholder, current with its migrations.

    Two small queries when nothing changed; a pg_dump (about a second) after a migration.
    A template behind the code is migrated only when the caller allows it (commands); a web
    request gets a 409 rather than running migrations beside a deploy's migrate_schemas.
    """
    if not schema_exists(template_schema()) or template_pending_migrations():
        if not migrate_if_behind:
            raise ApplicationError(
                _(
                    "The company template is behind the code's migrations; run "
                    "`manage.py migrate_schemas` and try again."
                ),
                code="template_behind",
            )
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
    sql = schema_sql(template_schema())
    TemplateSnapshot.objects.bulk_create(
        [TemplateSnapshot(fingerprint=fingerprint, sql=sql)], ignore_conflicts=True
    )
    return sql


# pg_dump 15.14+/16.10+ fence the script with psql meta-commands carrying a random key.
_PSQL_RESTRICT = re.compile(r"^\\(un)?restrict [A-Za-z0-9]+$")
# The dump's own session settings, made local to the provisioning transaction.
_PREAMBLE = (
    "SET LOCAL check_function_bodies = false;\nSELECT pg_catalog.set_config('search_path', '', true);\n"
)


def _portable_sql(dump: str, schema: str) -> str:
    """The dump from its first CREATE on, with a placeholder for the schema name.

    Everything before the first CREATE is pg_dump's session set-up (it would change this
    connection's settings for good); after it, lines are left as they are, since a line of
    data or a function body may look like anything.
    """
    lines = dump.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("CREATE "))
    body = "\n".join(line for line in lines[first:] if not _PSQL_RESTRICT.match(line))
    return _PREAMBLE + body.replace(quote_schema_name(schema), PLACEHOLDER)


# --- creating a company schema -----------------------------------------------------------


def schema_sql(schema: str) -> str:
    """A schema's structure and rows as SQL that recreates it under any name."""
    dump = pg_dump(schema, "--inserts", "--quote-all-identifiers", "--no-comments", "--no-tablespaces")
    return _portable_sql(dump, schema)


def schema_create_from_template(schema: str, sql: str | None = None) -> None:
    """Create ``schema`` as a copy of the template, in the caller's transaction."""
    sql = sql if sql is not None else template_sql()
    if not connection.in_atomic_block:
        raise RuntimeError("A schema is copied inside the caller's transaction.")
    with connection.cursor() as cursor:
        cursor.execute(sql.replace(PLACEHOLDER, quote_schema_name(schema)))
    # The replay emptied search_path until the end of the transaction: let django-tenants
    # set it again before the next query.
    connection.search_path_set_schemas = None


def schema_drop(schema: str) -> None:
    if schema in (get_public_schema_name(), template_schema()):
        raise ValueError(f"Refusing to drop the {schema} schema.")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema_name(schema)} CASCADE")
