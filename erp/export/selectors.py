"""Reads of sales and export: everything belongs to the company side (admin, exporter); a
partner-bound user sees nothing. Weights are added up in the database (one query a list)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from erp.access import is_company_side
from erp.units import kg_to_qq, kg_to_tm

from .models import Container, ContainerLot, SalesContract, Shipment, ShipmentDocument, ShipmentStatus

ZERO = Decimal("0")


@dataclass(frozen=True)
class Weight:
    """Net kilograms and sacks, shown also in quintales and TM."""

    kg: Decimal = ZERO
    sacks: int = 0

    @property
    def qq(self) -> Decimal:
        return kg_to_qq(self.kg)

    @property
    def tm(self) -> Decimal:
        return kg_to_tm(self.kg)


def _kg_sum(path: str, **extra) -> Coalesce:
    return Coalesce(
        Sum(path, **extra), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2)
    )


def _sacks_sum(path: str, **extra) -> Coalesce:
    return Coalesce(Sum(path, **extra), Value(0), output_field=IntegerField())


def _company_side(user, queryset: QuerySet) -> QuerySet:
    return queryset if is_company_side(user) else queryset.none()


def sales_contract_list(*, user) -> QuerySet[SalesContract]:
    """Sales contracts with ``loaded_kg``: what their shipments (but cancelled ones) hold."""
    contracts = (
        SalesContract.objects.select_related("buyer", "exporter")
        .prefetch_related("purchase_contracts")
        .annotate(
            loaded_kg=_kg_sum(
                "shipments__containers__loads__kg", filter=~Q(shipments__status=ShipmentStatus.CANCELLED)
            )
        )
        .order_by("-created_at", "-pk")  # an aggregate drops Meta.ordering
    )
    return _company_side(user, contracts)


def shipment_list(*, user) -> QuerySet[Shipment]:
    """Shipments with ``net_kg`` and ``sacks`` (sums of their loads) and ``container_count``."""
    shipments = (
        Shipment.objects.select_related("sales_contract", "sales_contract__buyer")
        .annotate(
            net_kg=_kg_sum("containers__loads__kg"),
            sacks=_sacks_sum("containers__loads__sacks"),
            container_count=Count("containers", distinct=True),
        )
        .order_by("-created_at", "-pk")
    )  # an aggregate drops Meta.ordering
    return _company_side(user, shipments)


def container_list(*, user) -> QuerySet[Container]:
    loads = ContainerLot.objects.select_related("lot", "movement__from_warehouse")
    containers = Container.objects.select_related("shipment").prefetch_related(
        Prefetch("loads", queryset=loads)
    )
    return _company_side(user, containers)


def load_list(*, user) -> QuerySet[ContainerLot]:
    loads = ContainerLot.objects.select_related(
        "container", "container__shipment", "lot", "movement__from_warehouse"
    )
    return _company_side(user, loads)


def document_list(*, user) -> QuerySet[ShipmentDocument]:
    return _company_side(user, ShipmentDocument.objects.select_related("shipment"))


def container_weight(container: Container) -> Weight:
    """From the container's prefetched loads when it has them (no query per container)."""
    loads = container.loads.all()
    return Weight(kg=sum((load.kg for load in loads), ZERO), sacks=sum(load.sacks for load in loads))


def shipment_weight(shipment: Shipment) -> Weight:
    if hasattr(shipment, "net_kg"):
        return Weight(kg=shipment.net_kg, sacks=shipment.sacks)
    totals = ContainerLot.objects.filter(container__shipment=shipment).aggregate(
        kg=_kg_sum("kg"), sacks=_sacks_sum("sacks")
    )
    return Weight(kg=totals["kg"], sacks=totals["sacks"])


def shipment_containers(shipment: Shipment) -> list[Container]:
    """The shipment's containers, their loads, lots and warehouses read in two queries."""
    loads = ContainerLot.objects.select_related("lot", "movement__from_warehouse").order_by("pk")
    return list(shipment.containers.prefetch_related(Prefetch("loads", queryset=loads)).order_by("number"))


def shipment_lots(shipment: Shipment):
    """The distinct lots loaded in the shipment."""
    from erp.lots.models import Lot

    return Lot.all_objects.filter(container_loads__container__shipment=shipment).distinct().order_by("code")


def contract_shipped_kg(sales_contract: SalesContract) -> Decimal:
    """Kilograms in the contract's shipments that are not cancelled."""
    return (
        ContainerLot.objects.filter(
            container__shipment__sales_contract=sales_contract,
        )
        .exclude(container__shipment__status=ShipmentStatus.CANCELLED)
        .aggregate(kg=_kg_sum("kg"))["kg"]
    )
