"""Human-readable license codes with a check character: ``TRB-7K3M-Q9XD-R``.

Crockford's base-32 alphabet (no I, L, O, U: nothing to misread when a client dictates a
code over the phone) and a Luhn mod-32 check character that catches any single mistyped
character and any swap of two neighbours.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "TRB"
BODY_LENGTH = 8


def _luhn_check_character(body: str) -> str:
    factor, total, base = 2, 0, len(ALPHABET)
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // base + addend % base
    return ALPHABET[(base - total % base) % base]


def license_code_generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return f"{PREFIX}-{body[:4]}-{body[4:]}-{_luhn_check_character(body)}"


def license_code_is_valid(code: str) -> bool:
    parts = code.strip().upper().split("-")
    if len(parts) != 4 or parts[0] != PREFIX:
        return False
    body, check = parts[1] + parts[2], parts[3]
    if len(body) != BODY_LENGTH or len(check) != 1 or any(c not in ALPHABET for c in body):
        return False
    return _luhn_check_character(body) == check
