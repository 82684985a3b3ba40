"""One verification for every official document (circulars, filing receipts, briefings…).

A document printed by the platform carries a QR code and a short code that lead to
`/documents/verify/<code>/`; anyone may also drop the PDF itself on `/documents/verify/`, and
the platform checks it from its own signature against the trust list (coordination/trust)
and says who signed it, when, with which key, and whether it was altered, superseded or
revoked. `manage.py verify_document FILE.pdf` does the same offline.

The apps that issue documents register a finder in their AppConfig.ready():

    verification.register(find_circular)

A finder takes (token, user) — a normalised short code, or the 64-hex SHA-256 of a PDF or of
a document's content — and returns a `Record` or None. `coordination` knows no document app.
"""

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.urls import reverse


@dataclass
class Record:
    """What the platform's record says of a document: enough for a stranger to trust it, never
    its body (only the people who may see the document download it)."""

    kind_zh: str
    kind_en: str
    title: str
    number: str
    issuer_zh: str
    issuer_en: str
    issued_at: datetime | None
    sha256: str  # of the issued PDF
    code: str = ""  # the short code printed on it, when it has one
    status: str = "valid"  # valid | superseded | revoked
    superseded_by: str = ""
    revoked_at: datetime | None = None
    revocation_reason: str = ""
    download_url: str | None = None  # only for those who may see the document
    extra: tuple[tuple[str, str], ...] = ()  # further (label, value) lines the page shows


Finder = Callable[[str, object], Record | None]
_finders: list[Finder] = []

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
CODE_LENGTH = 12
CODE_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{12}$")
HEX_RE = re.compile(r"^[0-9a-f]{64}$")
# Crockford's base32 reads O as 0 and I, L as 1: a code read aloud or typed from paper still finds it.
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    """A fresh short code for a document (60 bits: unguessable, short enough to type)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def register(finder: Finder) -> Finder:
    if finder not in _finders:
        _finders.append(finder)
    return finder


def normalise(token: str) -> str | None:
    """A short code (7K3Q-9XWD-2M4P, any case, with or without dashes and spaces) or a 64-hex
    digest, in the form finders take; None for anything else."""
    token = (token or "").strip()
    if HEX_RE.match(token.lower()):
        return token.lower()
    code = re.sub(r"[\s\-]", "", token).upper().translate(_CONFUSABLE)
    return code if CODE_RE.match(code) else None


def find(token: str, user=None) -> Record | None:
    token = normalise(token)
    if token is None:
        return None
    for finder in _finders:
        record = finder(token, user)
        if record is not None:
            return record
    return None


def verify_url(token: str) -> str:
    """The public verification link of a document, built from the documented SITE_URL setting
    (what QR codes print; never a hard-coded host)."""
    return settings.SITE_URL.rstrip("/") + reverse("document-verify", args=[token])
