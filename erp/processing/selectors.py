"""Reads of processing, scoped by the lot: whoever may see a lot sees its fermentation and
drying (a supplier those of its own lots, a center its own, the company side all)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from erp.access import lots_visible_to
from erp.lots.models import Lot

from .models import DryingReading, DryingRun, FermentationBatch, FermentationTurn, step_yield_percent


def visible_lots(user) -> QuerySet[Lot]:
    return lots_visible_to(user, Lot.objects.all())


def fermentations_visible_to(user, batches: QuerySet | None = None) -> QuerySet[FermentationBatch]:
    batches = FermentationBatch.objects.all() if batches is None else batches
    return batches.filter(lot__in=visible_lots(user))


def dryings_visible_to(user, runs: QuerySet | None = None) -> QuerySet[DryingRun]:
    runs = DryingRun.objects.all() if runs is None else runs
    return runs.filter(lot__in=visible_lots(user))


def fermentation_list(*, user) -> QuerySet[FermentationBatch]:
    turns = Prefetch("turns", queryset=FermentationTurn.objects.order_by("at", "id"))
    return fermentations_visible_to(user).select_related("lot").prefetch_related(turns)


def drying_list(*, user) -> QuerySet[DryingRun]:
    readings = Prefetch("readings", queryset=DryingReading.objects.order_by("at", "id"))
    return dryings_visible_to(user).select_related("lot").prefetch_related(readings)


@dataclass(frozen=True)
class LotProcessing:
    """A lot's steps, and the wet-to-dry conversion factor measured across them: the dry weight
    out of its last finished drying run over the weight into its first step (its first
    fermentation, or the drying run when it was not fermented here)."""

    lot: Lot
    fermentations: list
    dryings: list

    @property
    def wet_in_kg(self) -> Decimal | None:
        first = (self.fermentations or self.dryings or [None])[0]
        return first.weight_in_kg if first else None

    @property
    def dry_out_kg(self) -> Decimal | None:
        finished = [run for run in self.dryings if not run.is_open]
        return finished[-1].weight_out_kg if finished else None

    @property
    def conversion_factor_percent(self) -> Decimal | None:
        return step_yield_percent(self.wet_in_kg, self.dry_out_kg)


def lot_processing(lot: Lot) -> LotProcessing:
    """Steps in the order they happened (the caller has checked the lot is visible)."""
    fermentations = (
        FermentationBatch.objects.filter(lot=lot).prefetch_related("turns").order_by("started_at", "id")
    )
    dryings = DryingRun.objects.filter(lot=lot).prefetch_related("readings").order_by("started_at", "id")
    return LotProcessing(lot=lot, fermentations=list(fermentations), dryings=list(dryings))
