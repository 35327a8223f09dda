"""Shared pieces of the ERP API."""

import json
from functools import cached_property

from django.core.paginator import Paginator
from django.db import connections
from rest_framework.pagination import PageNumberPagination

# Above this many rows a list reports an estimated count: an exact COUNT(*) over 100k lots
# took ~12 ms of every page request; counting up to the cap and a plan cost ~2 ms.
EXACT_COUNT_LIMIT = 10_000


class LargeTablePaginator(Paginator):
    """Counts exactly up to EXACT_COUNT_LIMIT rows (a capped count stops there), and reports
    the planner's estimate, never less than the cap, beyond it."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        capped = queryset.values("pk")[: EXACT_COUNT_LIMIT + 1].count()
        self.count_is_exact = capped <= EXACT_COUNT_LIMIT
        if self.count_is_exact:
            return capped
        return max(_planner_estimate(queryset) or 0, capped)


def _planner_estimate(queryset) -> int | None:
    try:
        sql, params = queryset.values("pk").query.sql_with_params()
    except Exception:  # an empty result set or a query the ORM cannot render
        return None
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class StandardPagination(PageNumberPagination):
    """``?page=&page_size=`` (at most 100). Beyond 10,000 rows ``count`` is the database's
    estimate and ``count_exact`` says so."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    django_paginator_class = LargeTablePaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_exact"] = getattr(self.page.paginator, "count_is_exact", True)
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_exact"] = {"type": "boolean", "example": True}
        return schema
