"""Baseline middleware for benchmarks: one fixed company schema, no host lookup at all."""

import os

from django.conf import settings
from django.db import connection
from django.urls import set_urlconf

from master.companies.models import Company


class FixedSchemaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.company = None  # looked up at the first request (the ASGI handler loads us in async code)

    def __call__(self, request):
        if self.company is None:
            self.company = Company.objects.get(schema_name=os.environ["BENCH_FIXED_SCHEMA"])
        if connection.schema_name != self.company.schema_name or not connection.search_path_set_schemas:
            connection.set_tenant(self.company)
        request.company = request.tenant = self.company
        request.urlconf = settings.ROOT_URLCONF
        set_urlconf(request.urlconf)
        return self.get_response(request)
