"""Container numbers as ISO 6346 writes them: owner code (3 letters), equipment category (U, J
or Z), serial number (6 digits) and a check digit.

The check digit (ISO 6346:1995, Annex A; the same in the 2022 edition): each of the first ten
characters gets a value, digits their own, letters 10 to 38 leaving out the multiples of 11
(A=10, B=12 … K=21, L=23 … U=32, V=34 … Z=38); the value of the character at position i
(0 to 9) is multiplied by 2**i; the sum modulo 11 is the check digit, a remainder of 10
being written 0. The standard's worked example, CSQU 305438 3, is the one the Wikipedia
article "ISO 6346" gives; the tests check it and other numbers in use.
"""

import re
import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CATEGORIES = "UJZ"  # U: freight container, J: detachable equipment, Z: trailer or chassis
SEPARATORS = re.compile(r"[\s\-./]+")


def _letter_values() -> dict[str, int]:
    values, value = {}, 10
    for letter in string.ascii_uppercase:
        if value % 11 == 0:
            value += 1
        values[letter] = value
        value += 1
    return values


LETTER_VALUES = _letter_values()


def iso6346_check_digit(first_ten: str) -> int:
    """The check digit of an owner code, category and serial number (10 characters)."""
    total = sum(
        (LETTER_VALUES[char] if char in LETTER_VALUES else int(char)) * 2**position
        for position, char in enumerate(first_ten)
    )
    return total % 11 % 10


def iso6346_normalize(value: str, *, field: str = "number") -> str:
    """The number upper-cased without spaces, dashes, dots or slashes, checked part by part:
    a ValidationError on ``field`` says which part is wrong."""
    number = SEPARATORS.sub("", str(value or "")).upper()
    _check_parts(number, field)
    expected = iso6346_check_digit(number[:10])
    if int(number[10]) != expected:
        raise ValidationError(
            {
                field: _(
                    "The check digit of %(number)s is wrong: for %(prefix)s it is %(expected)s, not "
                    "%(given)s (ISO 6346). Check the number on the container."
                )
                % {"number": number, "prefix": number[:10], "expected": expected, "given": number[10]}
            }
        )
    return number


def _check_parts(number: str, field: str) -> None:
    if len(number) != 11:
        message = _(
            "A container number has 11 characters (4 letters, 6 digits, 1 check digit, e.g. CSQU3054383); "
            "this has %(count)s."
        ) % {"count": len(number)}
    elif not re.fullmatch(r"[A-Z]{3}", number[:3]):
        message = _("The owner code (the first 3 characters, %(part)s) must be 3 letters.") % {
            "part": number[:3]
        }
    elif number[3] not in CATEGORIES:
        message = _(
            "The 4th character (%(part)s) is the equipment category: U for a freight container (or J, Z)."
        ) % {"part": number[3]}
    elif not re.fullmatch(r"[0-9]{6}", number[4:10]):
        message = _("The serial number (characters 5 to 10, %(part)s) must be 6 digits.") % {
            "part": number[4:10]
        }
    elif not re.fullmatch(r"[0-9]", number[10]):
        message = _("The last character (%(part)s) is the check digit: a digit.") % {"part": number[10]}
    else:
        return
    raise ValidationError({field: message})
