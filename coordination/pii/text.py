"""Personal numbers inside free text (comments, reasons, replies): found and masked before the
text is stored in an audit entry, an outbox event or a notice, as the numbers themselves are.

A resident ID number (18 characters, or the old 15 digits) keeps its address code and last
four characters (`310101********1234`), a mobile number its first three and last four
(`138****5678`), a landline its area code and last four. A run of digits is taken whole, so a
longer number (an account, a waybill) is not cut into a false match.
"""

import re

from coordination.pii import idcard

# Longest first: an 18-character ID number before the 11 digits of a mobile number inside it.
_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"(?P<id>[1-9]\d{16}[\dXx]|[1-9]\d{14})"
    r"|(?P<mobile>(?:\+?86[- ]?)?1[3-9]\d{9})"
    r"|(?P<landline>0\d{2,3}-\d{7,8})"
    r")(?![0-9A-Za-z])"
)


def _mask(match: re.Match) -> str:
    if match["id"]:
        return idcard.mask(match["id"].upper())
    if match["mobile"]:
        text = match["mobile"]
        prefix, number = text[:-11], text[-11:]
        return prefix + idcard.mask_phone(number)
    area, _dash, number = match["landline"].partition("-")
    return f"{area}-{'*' * (len(number) - 4)}{number[-4:]}"


def mask_text(text: str) -> str:
    """`text` with every ID and phone number in it masked."""
    if not text:
        return text
    return _NUMBER.sub(_mask, text)
