"""Hourly: each company's figures copied to the public schema for the dashboard."""

from triboka.celery import app, fan_out

from .services import company_facts_refresh as _refresh


@app.task
def company_facts_refresh_everywhere() -> int:
    return fan_out(company_facts_refresh)


@app.task
def company_facts_refresh() -> int:
    return _refresh().storage_bytes
