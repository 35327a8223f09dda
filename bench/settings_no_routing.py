"""The project's settings with tenant routing switched off, for bench/api_load.py's baseline:
every request runs in the schema named by BENCH_FIXED_SCHEMA, whatever the host."""

from triboka.settings import *  # noqa: F403
from triboka.settings import MIDDLEWARE

MIDDLEWARE = [
    "bench.fixed_schema.FixedSchemaMiddleware"
    if entry == "triboka.middleware.CompanyRoutingMiddleware"
    else entry
    for entry in MIDDLEWARE
]
