"""Cut-test percentages and the commercial grade of a lot: ONE table of thresholds.

Figures: NTE INEN 176 (Ecuador, "Cacao en grano. Requisitos", 2006 edition), Tabla 1
(Nacional, "cacao arriba") and its CCN-51 requirements, as the trade quotes them:

============================  =====  =====  =====  =====  =====  ======
requirement (INEN 176)        ASSPS  ASSS   ASS    ASN    ASE    CCN-51
============================  =====  =====  =====  =====  =====  ======
buena fermentación, min %     75     65     60     44     26     65
ligera fermentación, min %    10     10     5      10     27     11
total fermentado, min %       85     75     65     54     53     76
violeta, max %                10     15     21     25     25     18
pizarroso (slaty), max %      4      9      12     18     18     5
moho (mouldy), max %          1      1      1      3      4      1
defectuosos, max %            0      0      0      1      3      0
humedad (moisture), max %     7.0    7.0    7.0    7.0    7.0    7.0
cien granos pesan, min g      135    130    120    110    105    135
============================  =====  =====  =====  =====  =====  ======

These figures are the table as it is commonly reproduced from the 2006 edition; they were
not checked here against an official copy of the standard (verify them, and any later
edition, before relying on a grade commercially).

How the standard's rows become ours, and what is not certain:

- INEN 176 counts "defectuosos" as insect-damaged, germinated, flat (vanos) and broken
  beans; our cut test has no "broken" column, so defective = insect-damaged + germinated +
  flat.
- Our cut test (ISO 1114's columns) has one "well fermented (brown)" column: INEN's
  "buena" and "ligera fermentación" beans are both brown inside and are both counted there,
  so its minimum is INEN's "total fermentado" (85, 75, 65, 54, 53; CCN-51 76). Our "partly
  fermented (violet)" column is INEN's "violeta". (Read this way each column of the table
  adds up to about 100 %, which is how the standard is built.)
- The standard gives the weight of 100 beans in grams (e.g. ASSPS 135-140 g). We record
  the bean count per 100 g, the trade's usual figure; the maximum count is
  floor(10000 / minimum weight of 100 beans): 74, 76, 83, 90, 95 (and 74 for CCN-51).
- The CCN-51 column is the least certain here (quoted from secondary sources of the 2006
  edition); check it against the edition the company works with. The company may change
  any figure in GRADE_TABLE; the code reads nothing else.
- Varieties other than Nacional and CCN-51 are graded on the Nacional rows: that is the
  company's choice, not the standard's.
- A lot that meets no row is ``off_grade``.

Rounding: a percentage is count / sample × 100. Grades compare the exact fractions (no
rounding ever moves a lot across a threshold). The percentages shown are rounded to 2
places by the largest-remainder method, so that the shown figures always add up to exactly
100.00: each is first cut down to hundredths, then the missing hundredths go one each to
the largest cut-off remainders (ties to the column that comes first in CUT_TEST_FIELDS).
"""

from dataclasses import dataclass
from decimal import Decimal

from erp.contracts.models import Variety
from erp.lots.models import Grade

SAMPLE_SIZES = (100, 300)  # ISO 1114: 100 beans, or 300 for a finer count

# The cut-test columns, in the order they are shown (and break ties when rounding).
CUT_TEST_FIELDS = (
    "well_fermented",
    "partly_fermented",
    "slaty",
    "mouldy",
    "insect_damaged",
    "germinated",
    "flat",
)
DEFECTIVE_FIELDS = ("insect_damaged", "germinated", "flat")


@dataclass(frozen=True)
class GradeThresholds:
    min_well_fermented: Decimal
    max_partly_fermented: Decimal
    max_slaty: Decimal
    max_mouldy: Decimal
    max_defective: Decimal
    max_moisture: Decimal
    max_bean_count: int  # beans per 100 g


def _row(well, violet, slaty, mouldy, defective, beans) -> GradeThresholds:
    return GradeThresholds(
        min_well_fermented=Decimal(well),
        max_partly_fermented=Decimal(violet),
        max_slaty=Decimal(slaty),
        max_mouldy=Decimal(mouldy),
        max_defective=Decimal(defective),
        max_moisture=Decimal("7.0"),
        max_bean_count=beans,
    )


# The one table (see the module docstring for the sources). Nacional rows best first.
GRADE_TABLE: dict[str, GradeThresholds] = {
    Grade.ASSPS: _row(85, 10, 4, 1, 0, 74),
    Grade.ASSS: _row(75, 15, 9, 1, 0, 76),
    Grade.ASS: _row(65, 21, 12, 1, 0, 83),
    Grade.ASN: _row(54, 25, 18, 3, 1, 90),
    Grade.ASE: _row(53, 25, 18, 4, 3, 95),
    Grade.CCN51: _row(76, 18, 5, 1, 0, 74),
}
NACIONAL_ORDER = (Grade.ASSPS, Grade.ASSS, Grade.ASS, Grade.ASN, Grade.ASE)


@dataclass(frozen=True)
class CutTest:
    """One analysis' figures: counts per column, the sample size, moisture and bean count."""

    counts: dict
    sample_size: int
    moisture_percent: Decimal
    bean_count_per_100g: int

    @property
    def defective(self) -> int:
        return sum(self.counts[field] for field in DEFECTIVE_FIELDS)

    def at_least(self, count: int, percent: Decimal) -> bool:
        """count / sample × 100 >= percent, exactly (no rounding)."""
        return Decimal(count) * 100 >= percent * self.sample_size

    def at_most(self, count: int, percent: Decimal) -> bool:
        return Decimal(count) * 100 <= percent * self.sample_size


def cut_test_percentages(counts: dict, sample_size: int) -> dict[str, Decimal]:
    """The shown percentages (2 places, adding up to 100.00): largest remainder."""
    total_units = 100 * 100  # hundredths of a percent in 100 %
    exact = {field: counts[field] * total_units for field in CUT_TEST_FIELDS}  # / sample_size
    units = {field: value // sample_size for field, value in exact.items()}
    missing = total_units - sum(units.values()) if sum(counts.values()) == sample_size else 0
    by_remainder = sorted(
        CUT_TEST_FIELDS, key=lambda field: (-(exact[field] % sample_size), CUT_TEST_FIELDS.index(field))
    )
    for field in by_remainder[:missing]:
        units[field] += 1
    return {field: Decimal(units[field]).scaleb(-2) for field in CUT_TEST_FIELDS}


def failed_thresholds(test: CutTest, limits: GradeThresholds) -> list[str]:
    """The names of the thresholds ``test`` does not meet (empty: it meets the row)."""
    c = test.counts
    checks = {
        "well_fermented": test.at_least(c["well_fermented"], limits.min_well_fermented),
        "partly_fermented": test.at_most(c["partly_fermented"], limits.max_partly_fermented),
        "slaty": test.at_most(c["slaty"], limits.max_slaty),
        "mouldy": test.at_most(c["mouldy"], limits.max_mouldy),
        "defective": test.at_most(test.defective, limits.max_defective),
        "moisture_percent": test.moisture_percent <= limits.max_moisture,
        "bean_count_per_100g": test.bean_count_per_100g <= limits.max_bean_count,
    }
    return [name for name, ok in checks.items() if not ok]


def grade_for(test: CutTest, variety: str) -> str:
    """The best grade whose every threshold the test meets; ``off_grade`` when none."""
    candidates = (Grade.CCN51,) if variety == Variety.CCN51 else NACIONAL_ORDER
    for grade in candidates:
        if not failed_thresholds(test, GRADE_TABLE[grade]):
            return grade
    return Grade.OFF_GRADE


def grade_meets(grade: str, minimum: str) -> bool:
    """Whether ``grade`` is ``minimum`` or better. CCN-51 is graded on its own: it meets
    only a CCN-51 minimum, and a Nacional grade never meets a CCN-51 minimum."""
    if not minimum:
        return True
    if grade == Grade.OFF_GRADE or Grade.CCN51 in (grade, minimum):
        return grade == minimum
    return NACIONAL_ORDER.index(grade) <= NACIONAL_ORDER.index(minimum)
