"""Credentials: compact signed payloads (release notices, health-code status tokens, passes) that
any region verifies offline against the trust list (shared/DESIGN.md §4.3.1).

A credential is a JWS in compact serialisation (RFC 7515) signed with EdDSA/Ed25519 (RFC 8037):

    base64url(header) "." base64url(claims) "." base64url(signature)
    header: {"alg": "EdDSA", "kid": <the issuer's credential key>, "typ": "yrd-credential+jws"}
    claims: {"v": 1, "kind": "M2", "jti": <credential id>, "iss": <issuer's organisation code>,
             "iat": <unix time>, "exp": <unix time>, "data": {…the mechanism's masked fields…}}

so any JOSE library verifies one with the issuer's public key from the trust list (the tests do
it with PyJWT). The platform writes and reads the serialisation itself, in a few lines, because
verification is its hot path: at a checkpoint every scan is one, and a general JOSE library
spends longer on its generality than libsodium (PyNaCl) spends on the signature.

Verification answers one of `Result`: valid, expired, revoked (the credential, or its issuer's
key), unknown issuer (no such key in the trust list), tampered (the signature does not hold, or
the claims contradict the key); a token that is not a credential at all raises
`MalformedCredential`. The same `verify()` runs online against the database's keys
(`current_trust()`, kept per process for CREDENTIAL_TRUST_SECONDS) and offline against a
downloaded signed trust list (`Trust.from_trust_list`, `manage.py verify_credential`).
"""

import base64
import binascii
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from coordination.trust import crypto

TYPE = "yrd-credential+jws"
VERSION = 1
MAX_TOKEN_LENGTH = 4096  # a QR code of version 40 holds less; anything longer is not ours
MAX_HEADER_LENGTH = 256  # the header is three short fields
CLOCK_SKEW = timedelta(minutes=5)  # an issuer's clock a little ahead is not a forgery
_HEADER_KEYS = {"alg", "kid", "typ"}


class Result:
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNKNOWN_ISSUER = "unknown_issuer"
    TAMPERED = "tampered"

    LABELS = {
        VALID: _("Valid"),
        EXPIRED: _("Expired"),
        REVOKED: _("Revoked"),
        UNKNOWN_ISSUER: _("Unknown issuer"),
        TAMPERED: _("Tampered or forged"),
    }


class MalformedCredential(Exception):
    """The text is not a credential of this platform (truncated, not base64url, not JSON…)."""


# --- encoding ---------------------------------------------------------------------------------


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise MalformedCredential(_("The credential is not in base64url.")) from exc


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise MalformedCredential(_("The credential's contents are not JSON.")) from exc
    if not isinstance(value, dict):
        raise MalformedCredential(_("The credential's contents are not a JSON object."))
    return value


def _compact(value: dict) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def new_credential_id() -> str:
    """A credential's id (the claims' jti): 96 random bits, 16 base64url characters."""
    return secrets.token_urlsafe(12)


def credential_sign(
    organisation, *, kind: str, data: dict, issued_at: datetime, expires_at: datetime, jti: str | None = None
) -> tuple[str, str, str, datetime]:
    """Sign a credential with the organisation's current credential key (made on first use):
    (token, kid, jti, expiry). The expiry is capped at the key's validity, which a verifier
    checks too."""
    from coordination.trust.services import active_key, key_material

    key = active_key(organisation, algorithm=crypto.CREDENTIAL_ALGORITHM)
    expires_at = min(expires_at, key.valid_until)
    jti = jti or new_credential_id()
    header = {"alg": crypto.CREDENTIAL_ALGORITHM, "kid": key.kid, "typ": TYPE}
    claims = {
        "v": VERSION,
        "kind": kind,
        "jti": jti,
        "iss": organisation.code,
        "iat": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
        "data": data,
    }
    signing_input = f"{_b64encode(_compact(header))}.{_b64encode(_compact(claims))}"
    signature = key_material(key).private_key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{_b64encode(signature)}", key.kid, jti, expires_at


# --- what a verifier trusts ---------------------------------------------------------------------


@dataclass(frozen=True)
class IssuerKey:
    kid: str
    organisation: dict  # id, code, name_zh, name_en as the trust list publishes them
    verify_key: VerifyKey = field(repr=False)
    valid_from: datetime
    valid_until: datetime
    retired_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class Trust:
    """The credential keys and revoked credentials a verifier holds: from the database (online)
    or from a signed trust list (offline). `issued_at` is when that state was read."""

    keys: dict[str, IssuerKey]
    revoked: dict[str, datetime]  # jti → revoked at
    issued_at: datetime

    @classmethod
    def from_database(cls) -> "Trust":
        from coordination.trust.models import RevokedCredential, SigningKey

        now = timezone.now()
        keys = {}
        for key in SigningKey.objects.filter(algorithm=crypto.CREDENTIAL_ALGORITHM, is_root=False).select_related(
            "organisation"
        ):
            organisation = key.organisation
            keys[key.kid] = IssuerKey(
                kid=key.kid,
                organisation={
                    "id": organisation.pk,
                    "code": organisation.code,
                    "name_zh": organisation.name_zh,
                    "name_en": organisation.name_en,
                },
                verify_key=_verify_key(key.certificate.public_key()),
                valid_from=key.valid_from,
                valid_until=key.valid_until,
                retired_at=key.retired_at,
                revoked_at=key.revoked_at,
            )
        revoked = dict(RevokedCredential.objects.filter(expires_at__gt=now).values_list("jti", "revoked_at"))
        return cls(keys=keys, revoked=revoked, issued_at=now)

    @classmethod
    def from_trust_list(cls, listed: dict) -> "Trust":
        """From the "list" of a signed trust list whose signature the caller has checked
        (`trust_list.verify_trust_list`)."""
        from coordination.trust.certificates import load_pem
        from coordination.trust.trust_list import parse_time

        keys = {}
        try:
            for entry in listed["keys"]:
                if entry.get("algorithm") != crypto.CREDENTIAL_ALGORITHM:
                    continue
                keys[entry["kid"]] = IssuerKey(
                    kid=entry["kid"],
                    organisation=entry["organisation"],
                    verify_key=_verify_key(load_pem(entry["certificate"]).public_key()),
                    valid_from=parse_time(entry["valid_from"]),
                    valid_until=parse_time(entry["valid_until"]),
                    retired_at=parse_time(entry.get("retired_at")),
                    revoked_at=parse_time(entry.get("revoked_at")),
                )
            revoked = {row["jti"]: parse_time(row["revoked_at"]) for row in listed.get("revoked_credentials", [])}
            issued_at = parse_time(listed["issued_at"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"the trust list's credential keys are malformed ({exc})") from exc
        times = [issued_at, *revoked.values()]
        for key in keys.values():
            times += [key.valid_from, key.valid_until, key.retired_at, key.revoked_at]
        if any(value is not None and value.tzinfo is None for value in times) or not all(
            isinstance(key.organisation, dict) for key in keys.values()
        ):
            raise ValueError("the trust list's credential keys are malformed (times without a zone, or organisations)")
        return cls(keys=keys, revoked=revoked, issued_at=issued_at)


def _verify_key(public_key) -> VerifyKey:
    from cryptography.hazmat.primitives import serialization

    return VerifyKey(public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


_trust: tuple[float, Trust] | None = None
_trust_lock = threading.Lock()
_trust_generation = 0  # moved on by every forget: a read that began before one is not kept


def current_trust() -> Trust:
    """The database's credential keys and revocations, read again once they are older than
    CREDENTIAL_TRUST_SECONDS (a revocation in another process counts from then; in this one,
    from its commit: `forget_trust`)."""
    global _trust
    held = _trust
    if held is not None and time.monotonic() - held[0] < settings.CREDENTIAL_TRUST_SECONDS:
        return held[1]
    generation = _trust_generation
    trust = Trust.from_database()
    with _trust_lock:
        if generation == _trust_generation:
            _trust = (time.monotonic(), trust)
    return trust


def forget_trust() -> None:
    """Read the keys and revocations afresh at the next verification (after a revocation or a
    new key, once the transaction commits)."""

    def forget():
        global _trust, _trust_generation
        with _trust_lock:
            _trust = None
            _trust_generation += 1

    transaction.on_commit(forget)


# --- verification -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    result: str
    reason: str = ""
    kind: str = ""
    jti: str = ""
    issuer: dict | None = None
    kid: str = ""
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    data: dict = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.result == Result.VALID

    def as_dict(self) -> dict:
        def stamp(value):
            return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")

        return {
            "result": self.result,
            "valid": self.valid,
            "label": str(Result.LABELS[self.result]),
            "reason": str(self.reason),
            "kind": self.kind or None,
            "credential_id": self.jti or None,
            "issuer": self.issuer,
            "kid": self.kid or None,
            "issued_at": stamp(self.issued_at),
            "expires_at": stamp(self.expires_at),
            "revoked_at": stamp(self.revoked_at),
            "data": self.data,
        }


def parse(token) -> tuple[dict, dict, bytes, bytes]:
    """(header, claims, signing input, signature) of a credential's text; MalformedCredential
    when it is none. Surrounding whitespace (a scanner's line end) is ignored."""
    if not isinstance(token, str):
        raise MalformedCredential(_("The credential must be text."))
    token = token.strip()
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise MalformedCredential(_("This is not a credential of the platform."))
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        raise MalformedCredential(_("The credential is incomplete (it may have been cut off when scanned)."))
    if len(parts[0]) > MAX_HEADER_LENGTH:
        raise MalformedCredential(_("This is not a credential of the platform."))
    header, claims = _json(_b64decode(parts[0])), _json(_b64decode(parts[1]))
    signature = _b64decode(parts[2])
    if header.get("typ") != TYPE or header.get("alg") != crypto.CREDENTIAL_ALGORITHM or set(header) != _HEADER_KEYS:
        raise MalformedCredential(_("This is not a credential of the platform."))
    if not isinstance(header["kid"], str) or claims.get("v") != VERSION:
        raise MalformedCredential(_("This is not a credential of the platform."))
    for name, kind in (("kind", str), ("jti", str), ("iss", str), ("iat", int), ("exp", int), ("data", dict)):
        if not isinstance(claims.get(name), kind) or isinstance(claims.get(name), bool):
            raise MalformedCredential(_("The credential lacks its %(claim)s.") % {"claim": name})
    return header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), signature


def _from_unix(value: int) -> datetime:
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise MalformedCredential(_("The credential's dates are out of range.")) from exc


def verify(token, *, trust: Trust | None = None, now: datetime | None = None) -> Verification:
    """Check a credential: its issuer's key in the trust list, the signature, the key's validity
    at issue, expiry, and revocation of the credential or of its key. Raises MalformedCredential."""
    header, claims, signing_input, signature = parse(token)
    trust = trust if trust is not None else current_trust()
    now = now or timezone.now()
    issued_at, expires_at = _from_unix(claims["iat"]), _from_unix(claims["exp"])
    found = {"kind": claims["kind"], "jti": claims["jti"], "kid": header["kid"]}
    key = trust.keys.get(header["kid"])
    if key is None:
        return Verification(
            Result.UNKNOWN_ISSUER, _("No issuer in the trust list holds the key that signed it."), **found
        )
    try:
        key.verify_key.verify(signing_input, signature)
    except (BadSignatureError, ValueError):
        return Verification(Result.TAMPERED, _("Its signature does not match its contents."), **found)
    found |= {"issuer": key.organisation, "issued_at": issued_at, "expires_at": expires_at, "data": claims["data"]}
    if claims["iss"] != key.organisation.get("code"):
        return Verification(Result.TAMPERED, _("It names another issuer than the key's owner."), **found)
    signed_after_retirement = key.retired_at is not None and issued_at > key.retired_at + CLOCK_SKEW
    if (
        issued_at < key.valid_from - CLOCK_SKEW
        or issued_at > now + CLOCK_SKEW
        or expires_at > key.valid_until
        or signed_after_retirement
    ):
        return Verification(Result.TAMPERED, _("Its dates lie outside its issuer key's validity."), **found)
    if now >= expires_at:
        return Verification(Result.EXPIRED, _("Its validity has ended."), **found)
    if key.revoked_at is not None and key.revoked_at <= now:
        return Verification(Result.REVOKED, _("Its issuer's key has been revoked."), revoked_at=key.revoked_at, **found)
    revoked_at = trust.revoked.get(claims["jti"])
    if revoked_at is not None and revoked_at <= now:
        return Verification(Result.REVOKED, _("Its issuer has revoked it."), revoked_at=revoked_at, **found)
    return Verification(Result.VALID, "", **found)


# --- what a kind adds to its verification ------------------------------------------------------

_kind_checks: dict = {}


def kind_check(kind: str):
    """Register `check(verification, *, verifier) -> dict` for a kind of credential: what the
    platform answers about it beyond the signature (F1: the latest red/yellow lists). It runs
    for every verification whose signature held, whatever the result, online only."""

    def register(check):
        _kind_checks[kind] = check
        return check

    return register


def kind_checks(checked: "Verification", *, verifier=None) -> dict:
    check = _kind_checks.get(checked.kind)
    if check is None or checked.issuer is None:
        return {}
    return check(checked, verifier=verifier)


def credential_revoke(*, jti: str, kind: str, organisation, expires_at: datetime, reason: str, at=None) -> None:
    """Publish a credential's revocation (with the trust list, from this transaction's commit)."""
    from coordination.trust.models import RevokedCredential

    RevokedCredential.objects.create(
        jti=jti,
        kind=kind,
        organisation=organisation,
        revoked_at=at or timezone.now(),
        expires_at=expires_at,
        reason=reason[:500],
    )
    forget_trust()
