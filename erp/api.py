"""Shared pieces of the ERP API."""

import json
from decimal import Decimal
from functools import cache, cached_property

import orjson
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ParseError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# Above this many rows a list reports an estimated count: an exact COUNT(*) over 100k lots
# took ~12 ms of every page request, a count capped at 10,001 rows ~4 ms, at 1,001 ~1 ms.
EXACT_COUNT_LIMIT = 1_000
MAX_OFFSET = 2**62


class LargeTablePaginator(Paginator):
    """Counts exactly up to EXACT_COUNT_LIMIT rows (a capped count stops there), and reports
    the planner's estimate, never less than the cap, beyond it.

    An estimate may be short of the real number, so beyond the cap pages are not bounded by
    it: a page exists when it has rows, and "next" is known by fetching one row more.
    """

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        queryset = self.object_list
        capped = queryset.values("pk")[: EXACT_COUNT_LIMIT + 1].count()
        if capped <= EXACT_COUNT_LIMIT:
            return capped, True
        return max(_planner_estimate(queryset) or 0, capped), False

    @property
    def count(self) -> int:
        return self._counted[0]

    @property
    def count_is_exact(self) -> bool:
        return self._counted[1]

    def page(self, number):
        if self.count_is_exact:
            return super().page(number)
        number = self._page_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return OpenEndedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)

    def _page_number(self, number) -> int:
        try:
            number = int(number or 1)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if (number - 1) * self.per_page > MAX_OFFSET:  # PostgreSQL's OFFSET is a bigint
            raise EmptyPage(self.error_messages["no_results"])
        return number


class OpenEndedPage(Page):
    """A page of a list whose count is an estimate: whether another page follows is known
    from the rows, not from the count."""

    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def next_page_number(self) -> int:
        return self.number + 1


class QuietFilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the request names none of the view's filters: building
    the filter form on every unfiltered page cost ~3 ms of a ~25 ms list request."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not set(request.query_params) & _parameters(filterset_class):
            return queryset
        return super().filter_queryset(request, queryset, view)


@cache
def _parameters(filterset_class) -> frozenset[str]:
    """The query parameters a filter set reads (a range filter reads ``month_after`` ...)."""
    names = set()
    for name, declared in filterset_class.base_filters.items():
        names.add(name)
        # The widget's class, not ``declared.field``: building the field here would cache
        # it, request-less, on the class-level filter that every request copies.
        widget = declared.extra.get("widget") or declared.field_class.widget
        suffixes = getattr(widget, "suffixes", ())
        names.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
    return frozenset(names)


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
        response.data["count_exact"] = self.page.paginator.count_is_exact
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_exact"] = {"type": "boolean", "example": True}
        return schema


class LargeJSONRenderer(JSONRenderer):
    """JSON rendered by orjson, for answers of megabytes (a genealogy of 10,000 lots: 2.7 MB
    in ~5 ms, where json took ~50 ms). Same compact UTF-8 as DRF's renderer; types JSON
    lacks go through DRF's encoder, so use it for answers of plain values (orjson writes
    datetimes itself, with "+00:00" where DRF writes "Z"). Indented answers, as the
    browsable API asks for, are DRF's own. An ``orjson.Fragment`` (an answer already written,
    see ``erp.lots.genealogy.lot_genealogy_json``) is sent as it is."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}):
            if isinstance(data, orjson.Fragment):
                data = orjson.loads(orjson.dumps(data))
            return super().render(data, accepted_media_type, renderer_context)
        return orjson.dumps(data, default=JSONEncoder().default)


class DecimalJSONParser(JSONParser):
    """JSON whose numbers with a fraction arrive as ``Decimal``, as written: a coordinate of
    "-79.100000" keeps its six decimals (a float would read -79.1), so a rule on the
    precision given can be checked."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            return json.loads(stream.read().decode(encoding), parse_float=Decimal)
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(f"JSON parse error - {error}") from error
