"""A lot's cost through its genealogy and a shipment's margin, checked against the figures of
erp/finance/costing.py's worked example, computed by hand."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from erp.finance.costing import lot_cost, lot_costs, money, shipment_cost
from erp.lots.services import lot_update

from .helpers import D, blend, cost, receive, shipment_with, split_example


def test_a_blend_costs_what_its_receptions_cost(erp_a):
    with tenant_context(erp_a.company):
        merged, _first, _second = blend(erp_a)
        blended = lot_cost(lot=merged)
    assert blended.total_usd == D("4000") and blended.base_kg == D("1500")
    assert blended.by_head["purchase"] == D("4000")


def test_a_split_part_takes_its_share_of_the_blend_and_its_transport(erp_a):
    with tenant_context(erp_a.company):
        merged, part = split_example(erp_a)
        costs = lot_costs(lot_ids=[merged.pk, part.pk])
    assert money(costs[part.pk].total_usd) == D("1660.00")  # 600 × 4,150 / 1,500
    assert money(costs[part.pk].by_head["transport"]) == D("60.00")  # 600 × 150 / 1,500
    remainder = costs[merged.pk]
    assert (remainder.held_kg, remainder.passed_kg) == (D("900"), D("600"))
    assert remainder.total_usd == D("4150")  # the blend's own figure: its 900 kg keep 2,490
    assert money(remainder.unit_usd_per_kg * remainder.held_kg) == D("2490.00")


def test_a_drying_loss_raises_the_cost_of_each_remaining_kilogram(erp_a):
    with tenant_context(erp_a.company):
        _merged, part = split_example(erp_a)
        lot_update(lot=part, user=erp_a.users["admin"], weight_kg=D("500"))  # dried: 600 → 500 kg
        dried = lot_cost(lot=part)
    assert money(dried.total_usd) == D("1660.00")
    assert dried.unit_usd_per_kg == D("3.32")  # 1,660 / 500, up from 2.7666…


def test_a_lot_is_costed_in_four_queries_whatever_its_ancestry(erp_a):
    with tenant_context(erp_a.company):
        _merged, part = split_example(erp_a)
        with CaptureQueriesContext(connection) as queries:
            lot_cost(lot=part)
    assert len(queries) == 4  # the walk, the lots, their receptions, their costs


def test_a_shipment_margin_is_revenue_at_the_fixed_price_less_the_cacao_and_its_own_costs(erp_a):
    with tenant_context(erp_a.company):
        reception = receive(erp_a, kg="1000", amount="2600")
        sent = shipment_with(erp_a, [(reception.lot, "800")])
        cost(erp_a, amount="420", kind="export", shipment=sent)
        margin = shipment_cost(shipment=sent)
    assert margin.revenue_usd == D("5000.00")  # 0.8 TM × 6,250
    assert margin.cost_by_head["purchase"] == D("2080")  # 800 kg × 2.60
    assert margin.cost_by_head["export"] == D("420")
    assert margin.cost_usd == D("2500")
    assert margin.margin_usd == D("2500.00") and margin.margin_percent == D("50.00")


def test_a_shipment_of_an_unpriced_sale_has_no_revenue_rather_than_zero(erp_a):
    from .helpers import unpriced_sale

    with tenant_context(erp_a.company):
        reception = receive(erp_a, kg="1000", amount="2600")
        sent = shipment_with(erp_a, [(reception.lot, "1000")], sales_contract=unpriced_sale(erp_a))
        margin = shipment_cost(shipment=sent)
    assert margin.revenue_usd is None and margin.margin_usd is None and margin.margin_percent is None
    assert margin.cost_usd == Decimal("2600")
