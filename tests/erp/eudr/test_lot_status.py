"""A lot's EUDR status follows its genealogy: verified only when every reception behind it
names plots and every one of them is verified; a blend of verified and unverified lots is
refused."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from erp.eudr.selectors import LotEudrStatus, lot_eudr_statuses
from erp.eudr.services import plot_update
from erp.inventory.blending import lot_merge, lot_split
from erp.lots.services import lot_create

from .helpers import plot, reception_from


def test_the_status_of_a_lot_follows_splits_and_merges_back_to_the_receptions(erp_a):
    with tenant_context(erp_a.company):
        admin = erp_a.users["admin"]
        green, other_green = plot(erp_a, verified=True), plot(erp_a, name="Finca Dos", verified=True)
        first = reception_from(erp_a, [green]).lot
        second = reception_from(erp_a, [green, other_green]).lot
        blend = lot_merge(lots=[first, second], user=admin)
        part, _rest = lot_split(
            lot=blend, user=admin, parts=[Decimal("500"), blend.weight_kg - Decimal("500")]
        )
        pending = plot(erp_a, name="Finca Nueva")
        unverified = reception_from(erp_a, [pending]).lot
        nameless = reception_from(erp_a, []).lot
        by_hand = lot_create(user=admin, owner=erp_a.partners["center"], weight_kg=Decimal("100"))
        statuses = lot_eudr_statuses(lot_ids=[blend.pk, part.pk, unverified.pk, nameless.pk, by_hand.pk])
        assert statuses == {
            blend.pk: LotEudrStatus.VERIFIED,
            part.pk: LotEudrStatus.VERIFIED,
            unverified.pk: LotEudrStatus.UNVERIFIED,
            nameless.pk: LotEudrStatus.UNVERIFIED,
            by_hand.pk: LotEudrStatus.UNKNOWN,
        }
        plot_update(plot=other_green, user=admin, area_ha=Decimal("3"))  # back to pending
        assert lot_eudr_statuses(lot_ids=[part.pk])[part.pk] == LotEudrStatus.UNVERIFIED


def test_lots_from_verified_plots_are_not_blended_with_others(erp_a):
    with tenant_context(erp_a.company):
        admin = erp_a.users["admin"]
        verified = reception_from(erp_a, [plot(erp_a, verified=True)]).lot
        unverified = reception_from(erp_a, [plot(erp_a, name="Finca Nueva")]).lot
        with pytest.raises(ValidationError) as refused:
            lot_merge(lots=[verified, unverified], user=admin)
        assert verified.code in str(refused.value) and unverified.code in str(refused.value)
        also_unverified = reception_from(erp_a, []).lot
        assert lot_merge(lots=[unverified, also_unverified], user=admin).weight_kg > 0


def test_the_lot_status_endpoint_lists_the_plots_behind_a_lot(erp_a, erp_b):
    with tenant_context(erp_a.company):
        green = plot(erp_a, verified=True)
        lot = reception_from(erp_a, [green]).lot
        merged = lot_merge(lots=[lot, reception_from(erp_a, [green]).lot], user=erp_a.users["admin"])
    answer = erp_a.client("center").get(f"/api/v1/eudr/lots/{merged.pk}/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "verified" and body["receptions"] == 2 and body["receptions_without_plots"] == 0
    assert [p["code"] for p in body["plots"]] == [green.code]
    assert erp_b.client("admin").get(f"/api/v1/eudr/lots/{merged.pk}/").status_code == 404
