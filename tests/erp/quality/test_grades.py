"""The cut-test percentages and the grade table, against hand-computed figures, every
threshold at its edge (just in, just out)."""

from decimal import Decimal

import pytest

from erp.quality.grades import (
    GRADE_TABLE,
    NACIONAL_ORDER,
    CutTest,
    cut_test_percentages,
    failed_thresholds,
    grade_for,
    grade_meets,
)

D = Decimal


def counts(**values):
    base = dict.fromkeys(
        ("well_fermented", "partly_fermented", "slaty", "mouldy", "insect_damaged", "germinated", "flat"), 0
    )
    return {**base, **values}


def test_percentages_of_100_beans_are_the_counts():
    shown = cut_test_percentages(
        counts(well_fermented=76, partly_fermented=10, slaty=4, mouldy=1, flat=9), 100
    )
    assert shown == {
        "well_fermented": D("76.00"),
        "partly_fermented": D("10.00"),
        "slaty": D("4.00"),
        "mouldy": D("1.00"),
        "insect_damaged": D("0.00"),
        "germinated": D("0.00"),
        "flat": D("9.00"),
    }


def test_percentages_of_300_beans_add_up_to_100_by_largest_remainder():
    # By hand: 250/3 = 83.333, 30/3 = 10, 10/3 = 3.333, 4/3 = 1.333, 3/3 = 1, 2/3 = 0.667,
    # 1/3 = 0.333. Cut down: 83.33 + 10 + 3.33 + 1.33 + 1 + 0.66 + 0.33 = 99.98; the two
    # missing hundredths go to the largest remainders: 0.667 (germinated), then the first
    # of the 0.333 ties in column order (well fermented).
    shown = cut_test_percentages(
        counts(
            well_fermented=250,
            partly_fermented=30,
            slaty=10,
            mouldy=4,
            insect_damaged=3,
            germinated=2,
            flat=1,
        ),
        300,
    )
    assert shown == {
        "well_fermented": D("83.34"),
        "partly_fermented": D("10.00"),
        "slaty": D("3.33"),
        "mouldy": D("1.33"),
        "insect_damaged": D("1.00"),
        "germinated": D("0.67"),
        "flat": D("0.33"),
    }
    assert sum(shown.values()) == D("100.00")


def test_300_beans_with_exact_thirds():
    shown = cut_test_percentages(counts(well_fermented=225, partly_fermented=60, slaty=15), 300)
    assert (shown["well_fermented"], shown["partly_fermented"], shown["slaty"]) == (D("75"), D("20"), D("5"))


def _test(c, sample=100, moisture="7.00", beans=70):
    return CutTest(counts=c, sample_size=sample, moisture_percent=D(moisture), bean_count_per_100g=beans)


def _comfortable(grade: str, sample: int = 100) -> dict:
    """Counts that meet ``grade``'s row: its violet maximum, the rest well fermented."""
    row = GRADE_TABLE[grade]
    violet = int(row.max_partly_fermented) * sample // 100
    return counts(well_fermented=sample - violet, partly_fermented=violet)


@pytest.mark.parametrize("grade", NACIONAL_ORDER)
@pytest.mark.parametrize("sample", [100, 300])
def test_each_nacional_grade_is_given_to_beans_that_meet_its_row_only(grade, sample):
    beans = GRADE_TABLE[grade].max_bean_count
    assert grade_for(_test(_comfortable(grade, sample), sample, beans=beans), "nacional") == grade


# One bean per 300 is 0.33 %: the count on the edge meets the threshold, one more misses it.
MAXIMUM_COLUMNS = {
    "partly_fermented": ("max_partly_fermented", "partly_fermented"),
    "slaty": ("max_slaty", "slaty"),
    "mouldy": ("max_mouldy", "mouldy"),
    "defective": ("max_defective", "germinated"),
}


@pytest.mark.parametrize("grade", [*NACIONAL_ORDER, "ccn51"])
@pytest.mark.parametrize("threshold", MAXIMUM_COLUMNS)
def test_a_maximum_is_met_on_its_edge_and_missed_one_bean_past_it(grade, threshold):
    limit_name, column = MAXIMUM_COLUMNS[threshold]
    row = GRADE_TABLE[grade]
    on_edge = int(getattr(row, limit_name)) * 3
    c = counts(well_fermented=300 - on_edge, **{column: on_edge})
    assert threshold not in failed_thresholds(_test(c, 300), row)
    c[column] += 1
    c["well_fermented"] -= 1
    assert failed_thresholds(_test(c, 300), row) == [threshold]


@pytest.mark.parametrize("grade", [*NACIONAL_ORDER, "ccn51"])
def test_the_well_fermented_minimum_is_met_on_its_edge_and_missed_one_bean_below(grade):
    row = GRADE_TABLE[grade]
    on_edge = int(row.min_well_fermented) * 3
    c = counts(well_fermented=on_edge, partly_fermented=300 - on_edge)
    assert "well_fermented" not in failed_thresholds(_test(c, 300), row)
    c["well_fermented"] -= 1
    c["partly_fermented"] += 1
    assert "well_fermented" in failed_thresholds(_test(c, 300), row)


@pytest.mark.parametrize("grade", [*NACIONAL_ORDER, "ccn51"])
def test_moisture_and_bean_count_edges(grade):
    row = GRADE_TABLE[grade]
    good = _comfortable(grade)
    assert failed_thresholds(_test(good, moisture="7.00", beans=row.max_bean_count), row) == []
    assert failed_thresholds(_test(good, moisture="7.01", beans=row.max_bean_count), row) == [
        "moisture_percent"
    ]
    assert failed_thresholds(_test(good, beans=row.max_bean_count + 1), row) == ["bean_count_per_100g"]


def test_a_lot_falls_to_the_next_grade_and_finally_off_grade():
    # 84 % well fermented (one short of ASSPS's 85) with 10 % violet, 4 % slaty, 1 % mouldy
    # and 1 % flat: ASSPS also refuses the flat bean; ASSS (75, 15, 9, 1, 0) refuses it
    # too, as do ASS; ASN allows 1 % defective.
    c = counts(well_fermented=84, partly_fermented=10, slaty=4, mouldy=1, flat=1)
    assert grade_for(_test(c), "nacional") == "asn"
    c = counts(well_fermented=84, partly_fermented=11, slaty=4, mouldy=1)
    assert grade_for(_test(c), "nacional") == "asss"
    # 52 % well fermented is below ASE's 53: off grade.
    c = counts(well_fermented=52, partly_fermented=25, slaty=18, mouldy=4, insect_damaged=1)
    assert grade_for(_test(c), "nacional") == "off_grade"
    # Beans above 7 % moisture grade nowhere.
    assert grade_for(_test(_comfortable("assps"), moisture="7.5"), "nacional") == "off_grade"
    # Other varieties use the Nacional rows (the company's choice).
    assert grade_for(_test(_comfortable("assps")), "other") == "assps"


def test_ccn51_is_graded_on_its_own_row():
    test = _test(_comfortable("ccn51"))  # 82 % well fermented, 18 % violet
    assert grade_for(test, "ccn51") == "ccn51"
    # The same beans of a Nacional lot are graded on the Nacional rows: ASS (violet <= 21).
    assert grade_for(test, "nacional") == "ass"
    c = counts(well_fermented=75, partly_fermented=18, slaty=6, mouldy=1)
    assert grade_for(_test(c), "ccn51") == "off_grade"


def test_minimum_grade_ordering():
    assert grade_meets("assps", "ass") and grade_meets("ass", "ass")
    assert not grade_meets("asn", "ass")
    assert not grade_meets("off_grade", "ase")
    assert grade_meets("ccn51", "ccn51") and not grade_meets("assps", "ccn51")
    assert not grade_meets("ccn51", "ase")
    assert grade_meets("off_grade", "")


# The figures of the module docstring (INEN 176, read as documented there), written out by hand:
# (min well fermented, max violet, max slaty, max mouldy, max defective, max moisture, max beans/100 g).
CITED = {
    "assps": (85, 10, 4, 1, 0, "7.0", 74),
    "asss": (75, 15, 9, 1, 0, "7.0", 76),
    "ass": (65, 21, 12, 1, 0, "7.0", 83),
    "asn": (54, 25, 18, 3, 1, "7.0", 90),
    "ase": (53, 25, 18, 4, 3, "7.0", 95),
    "ccn51": (76, 18, 5, 1, 0, "7.0", 74),
}


def test_the_table_holds_the_cited_figures():
    for grade, (well, violet, slaty, mouldy, defective, moisture, beans) in CITED.items():
        row = GRADE_TABLE[grade]
        assert (
            row.min_well_fermented,
            row.max_partly_fermented,
            row.max_slaty,
            row.max_mouldy,
            row.max_defective,
            row.max_moisture,
            row.max_bean_count,
        ) == (well, violet, slaty, mouldy, defective, D(moisture), beans), grade


def test_hand_made_edges_of_assps_and_asn():
    # ASSPS with 300 beans: 12 slaty (4.00 %) is in, 13 (4.33 %) is out.
    assert (
        grade_for(_test(counts(well_fermented=258, partly_fermented=30, slaty=12), 300, beans=74), "nacional")
        == "assps"
    )
    assert (
        grade_for(_test(counts(well_fermented=257, partly_fermented=30, slaty=13), 300, beans=74), "nacional")
        == "asss"
    )
    # ASN: 3 mouldy of 100 is in; 4 is ASE; 54 well fermented is in, 53 is ASE.
    base = {"partly_fermented": 25, "slaty": 17, "insect_damaged": 1}
    assert grade_for(_test(counts(well_fermented=54, mouldy=3, **base), beans=90), "nacional") == "asn"
    assert grade_for(_test(counts(well_fermented=53, mouldy=4, **base), beans=90), "nacional") == "ase"
    assert grade_for(_test(counts(well_fermented=55, mouldy=2, **base), beans=91), "nacional") == "ase"
