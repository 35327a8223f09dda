"""Processing in a company's own admin: fermentation batches and drying runs with their turns
and readings, read here; they are written through the pages and the API (the services keep the
lot, its timeline and the stock in step), so the admin does not add or change them."""

from django.contrib import admin

from triboka.admin_actions import ViewOnlyMixin
from triboka.admin_sites import company_admin_site

from .models import DryingReading, DryingRun, FermentationBatch, FermentationTurn


class TurnInline(ViewOnlyMixin, admin.TabularInline):
    model = FermentationTurn
    fields = ("at", "temperature_c", "notes")
    extra = 0


class ReadingInline(ViewOnlyMixin, admin.TabularInline):
    model = DryingReading
    fields = ("at", "moisture_percent", "temperature_c")
    extra = 0


@admin.register(FermentationBatch, site=company_admin_site)
class FermentationBatchAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = (
        "lot",
        "box",
        "started_at",
        "ended_at",
        "days",
        "weight_in_kg",
        "weight_out_kg",
        "yield_percent",
    )
    list_filter = (("ended_at", admin.EmptyFieldListFilter), "started_at")
    search_fields = ("lot__code", "box")
    list_select_related = ("lot",)
    inlines = [TurnInline]


@admin.register(DryingRun, site=company_admin_site)
class DryingRunAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = (
        "lot", "method", "started_at", "ended_at", "target_moisture_percent", "weight_in_kg", "weight_out_kg",
        "yield_percent", "ended_above_target",
    )  # fmt: skip
    list_filter = ("method", "ended_above_target", ("ended_at", admin.EmptyFieldListFilter))
    search_fields = ("lot__code",)
    list_select_related = ("lot",)
    inlines = [ReadingInline]
