"""The identifiers an F2 request carries: an enterprise's unified social credit code
(统一社会信用代码, GB 32100-2015) and a customs HS code. Each function returns the normalised
value or raises ValueError with the message to show."""

import re

from django.utils.translation import gettext as _

# GB 32100-2015 §4: the 31 characters a code is written in (no I, O, S, V, Z), each worth its
# index, and the weights of the first 17 (3^i mod 31).
USCC_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_PATTERN = re.compile(rf"^[{USCC_CHARACTERS}]{{2}}\d{{6}}[{USCC_CHARACTERS}]{{10}}$")
# Six digits (the international HS subheading) up to China's ten-digit tariff lines.
HS_PATTERN = re.compile(r"^\d{6,10}$")


def uscc_check_character(first17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100-2015 §5.3)."""
    total = sum(USCC_CHARACTERS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARACTERS[(31 - total % 31) % 31]


def uscc_clean(value: str) -> str:
    """The code in capitals, or ValueError: 18 characters of the code's alphabet, the division
    code (characters 3–8) in digits, the check character right."""
    code = str(value).strip().upper()
    if len(code) != 18:
        raise ValueError(_("A unified social credit code has 18 characters."))
    if not USCC_PATTERN.match(code):
        raise ValueError(_("This is not a unified social credit code: check the letters and digits."))
    if code[17] != uscc_check_character(code[:17]):
        raise ValueError(_("The check character of this unified social credit code is wrong."))
    return code


def hs_code_clean(value: str) -> str:
    """The HS code in digits only (8544.42.11 → 85444211), or ValueError."""
    code = re.sub(r"[\s.]", "", str(value))
    if not HS_PATTERN.match(code):
        raise ValueError(_("An HS code has 6 to 10 digits."))
    return code
