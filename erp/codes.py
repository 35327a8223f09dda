"""Human-readable codes numbered per company and year (CT-2026-0001), without gaps races."""

from django.db import connection
from django.utils import timezone

from erp.contracts.models import CodeSequence


def code_next(prefix: str, digits: int) -> str:
    """The next code for ``prefix`` this year; one upsert, safe under concurrent requests."""
    year = timezone.localdate().year
    table = connection.ops.quote_name(CodeSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, year, last_number) VALUES (%s, %s, 1) "
            f"ON CONFLICT (prefix, year) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [prefix, year],
        )
        number = cursor.fetchone()[0]
    return f"{prefix}-{year}-{number:0{digits}d}"
