from django.db.models import QuerySet

from erp.access import lots_visible_to

from .models import Lot


def lot_list(*, user, include_deleted: bool = False) -> QuerySet[Lot]:
    manager = Lot.all_objects if include_deleted else Lot.objects
    return lots_visible_to(user, manager.select_related("owner", "contract"))
