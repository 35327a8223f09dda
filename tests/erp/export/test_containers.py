"""ISO 6346 container numbers: the check digit of numbers in use, the input cleaned, and
which part of a wrong number is wrong."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from erp.export.containers import iso6346_check_digit, iso6346_normalize


@pytest.mark.parametrize(
    "number",
    [
        "CSQU3054383",  # ISO 6346's worked example (Wikipedia, "ISO 6346")
        "RAIU6900114",  # the example of the npm package iso6346
        "ZEPU0037255",  # the example of calc-ilu-check-digit
        "BICU1234565",  # BIC's specimen number
    ],
)
def test_numbers_in_use_pass_their_check_digit(number):
    assert iso6346_check_digit(number[:10]) == int(number[10])
    assert iso6346_normalize(number) == number


def test_a_remainder_of_ten_is_written_zero():
    # C=13, S=30, Q=28, U=32, then 3 0 5 4 0 7, weighted 1, 2, 4 … 512: 4,905 = 445 × 11 + 10.
    assert iso6346_check_digit("CSQU305407") == 0
    assert iso6346_normalize("CSQU3054070") == "CSQU3054070"


def test_the_number_is_upper_cased_and_its_spaces_and_dashes_dropped():
    assert iso6346_normalize(" csqu 305438-3 ") == "CSQU3054383"
    assert iso6346_normalize("CSQU.305438/3") == "CSQU3054383"


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("CSQU305438", "11 characters"),
        ("C5QU3054383", "owner code"),
        ("CSQA3054383", "equipment category"),
        ("CSQU30543B3", "serial number"),
        ("CSQU305438X", "check digit: a digit"),
        ("CSQU3054384", "for CSQU305438 it is 3, not 4"),
    ],
)
def test_a_wrong_number_says_which_part_is_wrong(number, words):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        iso6346_normalize(number, field="number")
    assert words in refused.value.message_dict["number"][0]
