"""Health-code status tokens (健康码状态凭证): a region's code service issues a signed,
time-limited token of a person's colour — a credential of kind F1, signed with the region's
key — that a checkpoint (a transport officer, a hospital or factory gate) scans or pastes.

Verification is the platform's one verification (coordination/trust/credentials.py); this
module adds what only F1 has: the token carries the keyed hash of the ID number, so the platform
also answers from the latest red/yellow lists (a person turned red since the token was issued is
red), and it counts verifications per day and region for the briefing."""

import base64
import binascii
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from coordination.mechanisms.health_codes.lookups import colour_of_digest
from coordination.mechanisms.health_codes.models import ID_PURPOSE, SEVERITY, Colour, VerificationCount
from coordination.pii import crypto, idcard
from coordination.trust import credentials
from coordination.workflow.access import membership_of

KIND = "F1"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def status_token_issue(*, organisation, id_number: str, name: str, colour: str, valid_hours: int) -> dict:
    """Sign a status token for a person (a validated, normalised ID number): masks and the
    keyed hash only, never the number."""
    now = timezone.now()
    digest = crypto.search_digest(id_number, purpose=ID_PURPOSE)
    token, kid, jti, expires_at = credentials.credential_sign(
        organisation,
        kind=KIND,
        data={
            "name": idcard.mask_name(name),
            "id": idcard.mask(id_number),
            "colour": colour,
            "region": organisation.region_id,
            "h": _b64(digest),
        },
        issued_at=now,
        expires_at=now + timedelta(hours=valid_hours),
    )
    return {"credential": token, "credential_id": jti, "kid": kid, "colour": colour, "expires_at": expires_at}


def _count(checked, verifier) -> None:
    membership = membership_of(verifier) if verifier is not None and verifier.is_authenticated else None
    key = {
        "day": timezone.localdate(),
        "issuer_region": str((checked.data or {}).get("region", ""))[:6],
        "verifier_region": (membership.organisation.region_id or "")[:6] if membership else "",
        "result": checked.result,
    }
    try:
        with transaction.atomic():
            if not VerificationCount.objects.filter(**key).update(count=F("count") + 1):
                VerificationCount.objects.create(**key, count=1)
    except IntegrityError:  # a concurrent first count of the same key
        VerificationCount.objects.filter(**key).update(count=F("count") + 1)


@credentials.kind_check(KIND)
def status_token_check(checked, *, verifier=None) -> dict:
    """What the latest lists say beside the token; the colour to act on is the more severe."""
    _count(checked, verifier)
    if not checked.valid:
        return {}
    token_colour = str(checked.data.get("colour", ""))
    if token_colour not in SEVERITY:
        return {"colour": None}
    try:
        digest = base64.urlsafe_b64decode(str(checked.data.get("h", "")) + "==")
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != 16:
        return {"colour": token_colour, "token_colour": token_colour, "lists": None}
    lookup = colour_of_digest(digest)
    colour = max(token_colour, lookup.colour, key=SEVERITY.__getitem__)
    return {
        "colour": colour,
        "token_colour": token_colour,
        "list_colour": lookup.colour,
        "lists": lookup.as_dict(),
        "stale": colour != token_colour and colour != Colour.GREEN,
    }
