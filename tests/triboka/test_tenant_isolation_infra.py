"""Cache keys, media paths and the migration executor are tenant-aware."""

from pathlib import Path

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import tenant_context

from master.companies.template import get_migration_executor, template_schema


def test_the_same_cache_key_holds_different_values_per_company(company_a, company_b, settings):
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()  # real Redis in the tests
    with tenant_context(company_a):
        cache.set("dashboard", "alpha's numbers")
    with tenant_context(company_b):
        assert cache.get("dashboard") is None
        cache.set("dashboard", "beta's numbers")
    with tenant_context(company_a):
        assert cache.get("dashboard") == "alpha's numbers"


def test_cache_keys_carry_the_schema(company_a):
    with tenant_context(company_a):
        assert cache.make_key("k").startswith("alpha:")


def test_files_are_stored_under_the_company_schema(company_a, company_b, settings):
    with tenant_context(company_a):
        name = default_storage.save("docs/contract.pdf", ContentFile(b"%PDF-1.4 alpha"))
        assert (Path(settings.MEDIA_ROOT) / "alpha" / name).read_bytes() == b"%PDF-1.4 alpha"
    with tenant_context(company_b):
        assert not default_storage.exists(name)


def test_migrating_all_companies_migrates_the_template_first(monkeypatch):
    seen = []
    executor_class = get_migration_executor("standard")
    monkeypatch.setattr(
        executor_class.__mro__[1], "run_migrations", lambda self, tenants=None: seen.append(list(tenants))
    )
    monkeypatch.setattr("master.companies.template._schema_create_if_missing", lambda schema: None)

    executor_class([], {"schema_name": None}).run_migrations(tenants=["alpha", "beta"])
    executor_class([], {"schema_name": None}).run_migrations(tenants=["public"])
    executor_class([], {"schema_name": "alpha"}).run_migrations(tenants=["alpha"])
    assert seen == [[template_schema(), "alpha", "beta"], ["public"], ["alpha"]]


def current_schema() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return cursor.fetchone()[0]


def test_a_rolled_back_savepoint_does_not_leave_queries_in_the_wrong_schema(company_a, company_b):
    """PostgreSQL undoes a SET search_path issued inside a rolled-back savepoint; the
    connection must notice (TENANT_LIMIT_SET_CALLS caches the path it set)."""
    from django.db import connection, transaction

    connection.set_tenant(company_a)
    assert current_schema() == "alpha"
    savepoint = transaction.savepoint()
    connection.set_tenant(company_b)
    assert current_schema() == "beta"
    transaction.savepoint_rollback(savepoint)
    assert connection.schema_name == "beta"
    assert current_schema() == "beta"
