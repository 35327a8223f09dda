import pytest
from django.core.exceptions import ValidationError

from master.licensing.codes import license_code_generate, license_code_is_valid
from triboka.validators import validate_cedula, validate_ruc


@pytest.mark.parametrize(
    "ruc",
    [
        "1700000001001",  # natural person, Pichincha
        "0992000015001",  # private company, Guayas
        "1760001550001",  # public entity (mod 11 on eight digits)
        "1793004504002",  # a second establishment
    ],
)
def test_valid_rucs(ruc):
    validate_ruc(ruc)


@pytest.mark.parametrize(
    ("ruc", "code"),
    [
        ("170000000100", "length"),
        ("17000000010011", "length"),
        ("17000000O1001", "not_digits"),
        ("2500000001001", "province"),
        ("0000000001001", "province"),
        ("1770000001001", "third_digit"),
        ("1700000002001", "check_digit"),
        ("0992000016001", "check_digit"),
        ("1700000001000", "establishment"),
    ],
)
def test_invalid_rucs_say_which_part_is_wrong(ruc, code):
    with pytest.raises(ValidationError) as error:
        validate_ruc(ruc)
    assert error.value.code == code


@pytest.mark.parametrize("cedula", ["1700000001", "0912345675", "3000000004"])
def test_valid_cedulas(cedula):
    validate_cedula(cedula)


@pytest.mark.parametrize(
    ("cedula", "code"),
    [
        ("170000000", "length"),
        ("1700000002", "check_digit"),
        ("2600000001", "province"),
        ("1760000001", "third_digit"),
    ],
)
def test_invalid_cedulas(cedula, code):
    with pytest.raises(ValidationError) as error:
        validate_cedula(cedula)
    assert error.value.code == code


def test_license_codes_carry_a_check_character():
    code = license_code_generate()
    assert license_code_is_valid(code)
    body = code[4:8]
    swapped = code[:4] + body[1] + body[0] + body[2:] + code[8:]
    if swapped != code:
        assert not license_code_is_valid(swapped)
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert not license_code_is_valid(typo)
