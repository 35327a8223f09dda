"""Demo quality data for `bootstrap_demo`: structured terms on the center's contract, an
analysis of one of its lots (graded and on the lot's timeline), and certificates of a
supplier, one of them expired."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from erp.lots.models import Lot

from .services import analysis_create, certificate_create, terms_set


def demo_quality_populate(*, admin, partners: dict, contracts: dict) -> None:
    """``partners`` and ``contracts`` as erp/demo.py builds them (lists per kind)."""
    contract = contracts["center"][0]
    terms_set(
        contract=contract,
        max_moisture_percent=Decimal("7.00"),
        min_well_fermented_percent=Decimal("75"),
        max_slaty_percent=Decimal("5"),
        minimum_grade="asss",
    )
    lot = Lot.objects.filter(contract=contract).order_by("pk").first()
    if lot is not None:
        analysis_create(  # 300 beans: 83.34 % well fermented, ASSS, meets the terms
            lot=lot,
            user=admin,
            analyst_name="Laboratorio de calidad",
            sample_size=300,
            well_fermented=250,
            partly_fermented=36,
            slaty=12,
            mouldy=2,
            moisture_percent=Decimal("6.90"),
            bean_count_per_100g=75,
        )
    supplier = partners["supplier"][0]
    today = timezone.localdate()
    certificate_create(
        user=admin,
        partner=supplier,
        kind="organic",
        number="EC-BIO-154-2026",
        issuer="BCS Öko-Garantie",
        valid_from=today - timedelta(days=200),
        valid_to=today + timedelta(days=165),
    )
    certificate_create(
        user=admin,
        partner=supplier,
        kind="fairtrade",
        number="FLO-ID 35123",
        issuer="FLOCERT",
        valid_from=today - timedelta(days=730),
        valid_to=today - timedelta(days=20),
    )
