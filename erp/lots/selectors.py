from django.db.models import Q, QuerySet

from erp.access import lots_visible_to

from .models import Lot

LOT_FIELDS = [field.name for field in Lot._meta.concrete_fields]


def lot_list(*, user, include_deleted: bool = False) -> QuerySet[Lot]:
    """The lots a user may see, with only the owner's name and the contract's code joined."""
    manager = Lot.all_objects if include_deleted else Lot.objects
    lots = manager.select_related("owner", "contract").only(*LOT_FIELDS, "owner__name", "contract__code")
    return lots_visible_to(user, lots)


def lot_rows(lots: QuerySet[Lot]) -> QuerySet:
    """A list's lots as plain rows (the fields, the owner's name, the contract's code)."""
    return lots.values(
        *[field.attname for field in Lot._meta.concrete_fields], "owner__name", "contract__code"
    )


def lot_named(lots: QuerySet[Lot], name) -> Lot | None:
    """The lot among ``lots`` that ``name`` names: its code, or its id when all digits."""
    name = str(name or "").strip()
    if not name:
        return None
    match = Q(code=name) | Q(pk=int(name)) if name.isdigit() else Q(code=name)
    return lots.filter(match).first()
