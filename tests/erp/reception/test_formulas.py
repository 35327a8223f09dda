"""The paid weight and the amount against figures computed by hand."""

from decimal import Decimal

import pytest

from erp.reception.formulas import amount_usd, paid_weight_breakdown, paid_weight_kg

D = Decimal


def paid(net, moisture, impurities="0", standard="7"):
    return paid_weight_kg(
        net_kg=D(net),
        moisture_percent=D(moisture),
        impurities_percent=D(impurities),
        standard_moisture_percent=D(standard),
    )


@pytest.mark.parametrize(
    ("net", "moisture", "impurities", "expected"),
    [
        ("1000", "7", "0", "1000.00"),  # at the standard: nothing off
        ("1000", "5", "0", "1000.00"),  # drier: no bonus
        ("1000", "0", "0", "1000.00"),
        ("1000", "10", "0", "967.74"),  # 1000 × 90 / 93 = 967.7419…
        ("1000", "8.5", "0", "983.87"),  # 1000 × 91.5 / 93 = 983.8709…
        ("1000", "7", "2", "980.00"),  # impurities only
        ("1000", "5", "2", "980.00"),  # drier, with impurities: only the impurities
        ("1030", "8.5", "1", "1003.25"),  # 1030 × 91.5/93 × 0.99 = 1003.2532…
        ("500", "60", "0", "215.05"),  # wet cacao: 500 × 40 / 93 = 215.0537…
        ("0.01", "50", "0", "0.01"),  # 0.01 × 50/93 = 0.005376… → 0.01 (half-up)
        ("1000", "100", "0", "0.00"),
    ],
)
def test_paid_weight_against_hand_computed_figures(net, moisture, impurities, expected):
    assert paid(net, moisture, impurities) == D(expected)


def test_a_company_standard_other_than_seven_percent():
    assert paid("1000", "8", standard="7.5") == D("994.59")  # 1000 × 92 / 92.5 = 994.594…


def test_rounding_is_half_up_to_hundredths():
    # 1000 × 92.9 / 93 = 998.92473…; × 0.999 = 997.92580… → 997.93
    assert paid("1000", "7.1", "0.1") == D("997.93")
    # exactly .005: 100.01 × 0.5 = 50.005 → 50.01 (half-up, not banker's 50.00)
    assert paid("100.01", "7", "50") == D("50.01")


def test_the_discounts_add_up_to_the_net_weight():
    result = paid_weight_breakdown(
        net_kg=D("1030"),
        moisture_percent=D("8.5"),
        impurities_percent=D("1"),
        standard_moisture_percent=D("7"),
    )
    assert result.moisture_discount_kg == D("16.61")  # 1030 − 1030 × 91.5/93 = 16.6129…
    assert result.impurities_discount_kg == D("10.14")
    assert result.moisture_discount_kg + result.impurities_discount_kg + result.paid_kg == D("1030")


def test_never_more_than_the_net():
    assert paid("1000", "1", "0") <= D("1000")


def test_amount_is_paid_quintales_times_price_in_cents():
    # 1003.24 kg / 45.359237 = 22.1177… qq × 130 = 2875.30…
    assert amount_usd(paid_kg=D("1003.24"), price_usd_per_qq=D("130")) == D("2875.30")
    # 45.359237 kg = 1 qq exactly
    assert amount_usd(paid_kg=D("45.359237"), price_usd_per_qq=D("99.99")) == D("99.99")
