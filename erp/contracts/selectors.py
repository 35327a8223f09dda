from django.db.models import QuerySet

from erp.access import contracts_visible_to

from .models import Contract
from .services import delivered_kg_expression


def contract_list(*, user, include_deleted: bool = False) -> QuerySet[Contract]:
    """The contracts a user may see, with their parties and delivered kilograms (one query)."""
    manager = Contract.all_objects if include_deleted else Contract.objects
    contracts = (
        manager.select_related("exporter", "counterparty")
        .annotate(delivered_kg=delivered_kg_expression())
        .order_by("-created_at", "-id")
    )
    return contracts_visible_to(user, contracts)
