"""Keeping the public copy of each company's own figures (CompanyFacts) fresh."""

from django.db import connection
from django.utils import timezone

from .models import CompanyFacts


def company_facts_refresh() -> CompanyFacts:
    """Counts the current company's storage, documents, contracts, lots and IoT figures (run
    inside the company's schema: a fanned-out task) into its public CompanyFacts row. The
    IoT "today" figures are as of the refresh (hourly)."""
    from erp.contracts.models import Contract
    from erp.documents.models import Document
    from erp.lots.models import Lot
    from iot.selectors import company_iot_figures
    from master.licensing.limits import storage_used_bytes

    company = connection.tenant
    facts, _ = CompanyFacts.objects.update_or_create(
        company_id=company.pk,
        defaults={
            "storage_bytes": storage_used_bytes(),
            "documents": Document.objects.count(),
            "contracts": Contract.objects.count(),
            "lots": Lot.objects.count(),
            **company_iot_figures(),
            "refreshed_at": timezone.now(),
        },
    )
    return facts
