"""Ecuadorian identity numbers (DOMAIN.md, "Parties and identity").

Each check says which part of the number is wrong, so the person typing it can fix it.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PROVINCE_CODES = {f"{n:02d}" for n in range(1, 25)} | {"30"}
PUBLIC_ENTITY_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
PRIVATE_COMPANY_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2)


def _require_digits(value: str, length: int, label: str) -> None:
    if not value.isdigit():
        raise ValidationError(
            _("The %(label)s must contain only digits.") % {"label": label}, code="not_digits"
        )
    if len(value) != length:
        raise ValidationError(
            _("The %(label)s must have %(length)d digits; this one has %(count)d.")
            % {"label": label, "length": length, "count": len(value)},
            code="length",
        )


def _require_province(value: str, label: str) -> None:
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("The %(label)s starts with %(code)s, which is not a province code (01-24 or 30).")
            % {"label": label, "code": value[:2]},
            code="province",
        )


def _mod10_check_digit(first_nine: str) -> int:
    total = 0
    for index, char in enumerate(first_nine):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def _mod11_check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return None if check == 10 else check


def _check_digit_error(label: str) -> ValidationError:
    return ValidationError(
        _("The check digit of the %(label)s does not match the digits before it; please check for a typo.")
        % {"label": label},
        code="check_digit",
    )


def validate_cedula(value: str) -> None:
    label = _("cédula")
    _require_digits(value, 10, label)
    _require_province(value, label)
    if int(value[2]) > 5:
        raise ValidationError(_("The third digit of a cédula must be between 0 and 5."), code="third_digit")
    if _mod10_check_digit(value[:9]) != int(value[9]):
        raise _check_digit_error(label)


def validate_ruc(value: str) -> None:
    label = _("RUC")
    _require_digits(value, 13, label)
    _require_province(value, label)
    third = int(value[2])
    if third <= 5:
        valid = _mod10_check_digit(value[:9]) == int(value[9])
        establishment = value[10:]
    elif third == 6:
        valid = _mod11_check_digit(value[:8], PUBLIC_ENTITY_WEIGHTS) == int(value[8])
        establishment = value[9:]
    elif third == 9:
        valid = _mod11_check_digit(value[:9], PRIVATE_COMPANY_WEIGHTS) == int(value[9])
        establishment = value[10:]
    else:
        raise ValidationError(
            _(
                "The third digit of a RUC must be 0-5 (natural person), 6 (public entity) "
                "or 9 (private company); this one is %(digit)d."
            )
            % {"digit": third},
            code="third_digit",
        )
    if not valid:
        raise _check_digit_error(label)
    if int(establishment) == 0:
        raise ValidationError(
            _("A RUC ends with its establishment number (001 for the main one), not %(end)s.")
            % {"end": establishment},
            code="establishment",
        )
