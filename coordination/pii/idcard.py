"""Resident identity card numbers (GB 11643-1999): 6-digit address code, 8-digit birth date,
3-digit sequence (odd for men) and an ISO 7064 MOD 11-2 check character."""

import re
from datetime import date

from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
PATTERN = re.compile(r"^[1-9]\d{16}[\dX]$")


class InvalidIDNumber(ValueError):
    pass


def normalise(number: str) -> str:
    return (number or "").strip().upper().replace(" ", "")


def check_character(first17: str) -> str:
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def birth_date_of(number: str) -> date:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIDNumber(_("The ID number contains no valid birth date.")) from None


def sex_of(number: str) -> str:
    """ "male" or "female", from the parity of the sequence number."""
    return "male" if int(number[16]) % 2 else "female"


def validate_id_number(number: str, *, today: date | None = None) -> str:
    """The normalised number, or InvalidIDNumber saying what is wrong."""
    number = normalise(number)
    if not PATTERN.match(number):
        raise InvalidIDNumber(_("An ID number has 18 characters: 17 digits and a digit or X."))
    born = birth_date_of(number)
    if born > (today or date.today()) or born.year < 1900:
        raise InvalidIDNumber(_("The ID number contains no valid birth date."))
    if check_character(number[:17]) != number[17]:
        raise InvalidIDNumber(_("The ID number's check digit is wrong."))
    return number


def with_check_character(first17: str) -> str:
    """A complete number from its first 17 digits (demo and scale data)."""
    return first17 + check_character(first17)


def mask(number: str) -> str:
    """320202********123X: the address code and the last four characters."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


# A mobile number (11 digits) or a landline with its area code.
PHONE_PATTERN = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def mask_phone(phone: str) -> str:
    """138****5678."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str) -> str:
    """王** : a person's name with all but its first character hidden."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""
