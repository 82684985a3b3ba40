"""The trust list: every issuer's public key with its validity and revocation, signed by the root.

    {"list": {"format": "yrd-trust-list/1", "issued_at": …, "root": {…}, "keys": [{…}, …]},
     "signature": {"kid": <root kid>, "alg": "ES256", "value": <base64 of r‖s>}}

The signature is ECDSA P-256/SHA-256 over the canonical JSON of "list" (keys sorted, no
whitespace, UTF-8 — RFC 8785 for the strings, integers, booleans and nulls used here), its value
the 64-byte r‖s of JWS (RFC 7518 §3.4). Anyone holding the root certificate checks a downloaded
list offline with `verify_trust_list`.
"""

import base64
import binascii
import json
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.trust import certificates, crypto
from coordination.trust.models import RevokedCredential, SigningKey

FORMAT = "yrd-trust-list/1"
COORDINATE_BYTES = 32  # P-256


class TrustListError(Exception):
    """A trust list that is malformed, names another root, or whose signature does not verify."""


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00"))


def key_entry(key: SigningKey, at: datetime) -> dict:
    """A key as the trust list publishes it."""
    organisation = key.organisation
    return {
        "kid": key.kid,
        "algorithm": key.algorithm,
        "organisation": {
            "id": organisation.pk,
            "code": organisation.code,
            "name_zh": organisation.name_zh,
            "name_en": organisation.name_en,
        },
        "certificate": key.certificate_pem,
        "public_key": key.public_key_pem,
        "valid_from": _time(key.valid_from),
        "valid_until": _time(key.valid_until),
        "status": str(key.status(at)),
        "current": key.is_current,
        "retired_at": _time(key.retired_at),
        "revoked_at": _time(key.revoked_at),
        "revocation_reason": key.revocation_reason or None,
    }


def trust_list(*, at: datetime | None = None) -> dict:
    """The list as a dict (unsigned): the root, every issuer key ever made and the revoked
    credentials not yet expired. Two queries (and the root's creation the first time)."""
    from coordination.trust.services import root_key

    at = at or timezone.now()
    root = root_key(create=True)
    keys = (
        SigningKey.objects.filter(is_root=False)
        .select_related("organisation")
        .order_by("organisation_id", "valid_from", "kid")
    )
    return {
        "format": FORMAT,
        "issued_at": _time(at),
        "root": {
            "kid": root.kid,
            "algorithm": root.algorithm,
            "name": root.certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value,
            "certificate": root.certificate_pem,
            "public_key": root.public_key_pem,
            "valid_from": _time(root.valid_from),
            "valid_until": _time(root.valid_until),
        },
        "keys": [key_entry(key, at) for key in keys],
        # Credentials revoked before their expiry (ids and times only: the list is public).
        "revoked_credentials": [
            {"jti": jti, "kind": kind, "revoked_at": _time(revoked_at)}
            for jti, kind, revoked_at in RevokedCredential.objects.filter(expires_at__gt=at)
            .order_by("revoked_at", "jti")
            .values_list("jti", "kind", "revoked_at")
        ],
    }


def sign_list(document: dict, root: SigningKey) -> dict:
    from coordination.trust.services import key_material

    der = key_material(root).private_key.sign(canonical_json(document), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    value = r.to_bytes(COORDINATE_BYTES, "big") + s.to_bytes(COORDINATE_BYTES, "big")
    return {
        "list": document,
        "signature": {"kid": root.kid, "alg": crypto.ALGORITHM, "value": base64.b64encode(value).decode()},
    }


def signed_trust_list(*, at: datetime | None = None) -> dict:
    """The list with the root's signature: what /trust-list.json serves."""
    from coordination.trust.services import root_key

    document = trust_list(at=at)
    return sign_list(document, root_key(create=False))


def verify_trust_list(document: dict, *, root_certificate: str | bytes | x509.Certificate | None = None) -> dict:
    """The list inside a signed trust list, after checking its signature with the root certificate
    — the one given (pinned by the caller), else the one the list itself names. Raises
    TrustListError."""
    try:
        listed, signature = document["list"], document["signature"]
        listed_root = certificates.load_pem(listed["root"]["certificate"])
        kid, alg = signature["kid"], signature["alg"]
        value = base64.b64decode(signature["value"], validate=True)
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise TrustListError(_("The trust list is malformed (%(error)s).") % {"error": exc}) from exc
    if listed.get("format") != FORMAT:
        raise TrustListError(_("The trust list is of an unknown format."))
    if not isinstance(listed.get("keys"), list) or not all(isinstance(k, dict) and "kid" in k for k in listed["keys"]):
        raise TrustListError(_("The trust list is malformed (%(error)s).") % {"error": "keys"})
    if root_certificate is not None:
        root = (
            root_certificate
            if isinstance(root_certificate, x509.Certificate)
            else certificates.load_pem(root_certificate)
        )
        if root.public_bytes(serialization.Encoding.DER) != listed_root.public_bytes(serialization.Encoding.DER):
            raise TrustListError(_("The trust list names another root certificate than the one pinned."))
    else:
        root = listed_root
    public_key = root.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise TrustListError(_("The root certificate does not hold an ECDSA key."))
    if alg != crypto.ALGORITHM or kid != crypto.kid_for(public_key) or kid != listed["root"].get("kid"):
        raise TrustListError(_("The trust list is not signed by its root key."))
    if len(value) != 2 * COORDINATE_BYTES:
        raise TrustListError(_("The trust list's signature is not valid."))
    der = encode_dss_signature(
        int.from_bytes(value[:COORDINATE_BYTES], "big"), int.from_bytes(value[COORDINATE_BYTES:], "big")
    )
    try:
        public_key.verify(der, canonical_json(listed), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise TrustListError(_("The trust list's signature is not valid.")) from exc
    return listed
