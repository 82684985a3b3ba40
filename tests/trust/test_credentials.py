"""Credentials (coordination/trust/credentials.py): signed with the issuer's Ed25519 key,
verified against the database's keys and offline against a signed trust list; every way a
credential can be wrong answers as itself — tampered, unknown issuer, expired, revoked (the
credential or its key) — and a text that is no credential at all is malformed. A rotated key
still verifies what it signed; a JOSE library of its own verifies the platform's tokens."""

import base64
import contextlib
import json
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from django.utils import timezone

from coordination.trust import credentials
from coordination.trust.credentials import MalformedCredential, Result, Trust, credential_sign, verify
from coordination.trust.services import active_key, key_revoke, key_rotate
from coordination.trust.trust_list import signed_trust_list, verify_trust_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def issuer(demo):
    return demo.org("ah-liaison")


def sign(issuer, *, days=30, data=None, issued_at=None):
    now = issued_at or timezone.now()
    token, kid, jti, _expires = credential_sign(
        issuer,
        kind="M2",
        data=data or {"name": "王*国", "id": "340702********0012"},
        issued_at=now,
        expires_at=now + timedelta(days=days),
    )
    return token, kid, jti


def fresh():
    return Trust.from_database()


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_signed_credential_verifies_with_what_it_says(issuer):
    token, kid, jti = sign(issuer)
    checked = verify(token, trust=fresh())
    assert checked.result == Result.VALID
    assert (checked.kind, checked.jti, checked.kid, checked.issuer["code"]) == ("M2", jti, kid, "ah-liaison")
    assert checked.data == {"name": "王*国", "id": "340702********0012"}
    assert active_key(issuer, algorithm="EdDSA").kid == kid
    assert active_key(issuer).kid != kid  # the documents' key is another one (ES256)


def test_another_jose_implementation_verifies_the_token(issuer):
    token, kid, jti = sign(issuer)
    key = active_key(issuer, algorithm="EdDSA").certificate.public_key()
    claims = jwt.decode(token, key, algorithms=["EdDSA"])
    assert (claims["jti"], claims["iss"], claims["kind"]) == (jti, "ah-liaison", "M2")
    assert jwt.get_unverified_header(token) == {"alg": "EdDSA", "kid": kid, "typ": "yrd-credential+jws"}


def test_a_changed_payload_or_a_signature_over_another_payload_is_tampered(issuer):
    token, _kid, _jti = sign(issuer)
    header, claims, signature = token.split(".")
    changed = json.loads(base64.urlsafe_b64decode(claims + "=="))
    changed["data"]["name"] = "李*"
    forged = f"{header}.{b64(json.dumps(changed).encode())}.{signature}"
    assert verify(forged, trust=fresh()).result == Result.TAMPERED
    other, _, _ = sign(issuer, data={"name": "张*"})
    spliced = f"{header}.{claims}.{other.split('.')[2]}"
    assert verify(spliced, trust=fresh()).result == Result.TAMPERED


def test_a_key_nobody_listed_is_an_unknown_issuer(issuer):
    token, _kid, _ = sign(issuer)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    header["kid"] = "AAAAAAAAAAAAAAAA"
    unknown = ".".join([b64(json.dumps(header).encode()), *token.split(".")[1:]])
    checked = verify(unknown, trust=fresh())
    assert checked.result == Result.UNKNOWN_ISSUER and checked.issuer is None


def test_a_credential_claiming_another_issuer_than_its_key_is_tampered(issuer, demo):
    # Signed with Anhui's key but naming Jiangsu as its issuer: the claims contradict the key.
    key = active_key(issuer, algorithm="EdDSA")
    from coordination.trust.services import key_material

    now = int(timezone.now().timestamp())
    header = {"alg": "EdDSA", "kid": key.kid, "typ": credentials.TYPE}
    claims = {"v": 1, "kind": "M2", "jti": "x" * 16, "iss": "js-liaison", "iat": now, "exp": now + 3600, "data": {}}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    token = f"{signing_input}.{b64(key_material(key).private_key.sign(signing_input.encode()))}"
    assert verify(token, trust=fresh()).result == Result.TAMPERED


def test_expired_and_revoked_credentials_answer_so(issuer):
    token, _, jti = sign(issuer, days=1)
    assert verify(token, trust=fresh(), now=timezone.now() + timedelta(days=2)).result == Result.EXPIRED
    credentials.credential_revoke(
        jti=jti, kind="M2", organisation=issuer, expires_at=timezone.now() + timedelta(days=1), reason="录入错误"
    )
    checked = verify(token, trust=fresh())
    assert checked.result == Result.REVOKED and checked.revoked_at is not None


def test_a_revoked_key_revokes_what_it_signed(issuer):
    token, kid, _ = sign(issuer)
    key_revoke(kid=kid, reason="key compromised")
    assert verify(token, trust=fresh()).result == Result.REVOKED
    # The organisation's next credential is signed with a new key and verifies.
    newer, new_kid, _ = sign(issuer)
    assert new_kid != kid and verify(newer, trust=fresh()).result == Result.VALID


def test_a_rotated_key_still_verifies_what_it_signed_before(issuer):
    old, old_kid, _ = sign(issuer)
    key_rotate(organisation=issuer, algorithm="EdDSA")
    new, new_kid, _ = sign(issuer)
    assert old_kid != new_kid
    assert verify(old, trust=fresh()).result == Result.VALID
    assert verify(new, trust=fresh()).result == Result.VALID


def test_a_credential_dated_after_its_key_was_retired_is_tampered(issuer):
    from coordination.trust.services import key_material

    key = active_key(issuer, algorithm="EdDSA")
    material = key_material(key)
    key_rotate(organisation=issuer, algorithm="EdDSA")
    later = int((timezone.now() + timedelta(hours=1)).timestamp())
    header = {"alg": "EdDSA", "kid": key.kid, "typ": credentials.TYPE}
    claims = {"v": 1, "kind": "M2", "jti": "y" * 16, "iss": "ah-liaison", "iat": later, "exp": later + 60, "data": {}}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    token = f"{signing_input}.{b64(material.private_key.sign(signing_input.encode()))}"
    assert verify(token, trust=fresh(), now=timezone.now() + timedelta(hours=1)).result == Result.TAMPERED


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "not a credential",
        "a.b",
        "a.b.c.d",
        "eyJ.eyJ.",
        "%%%.%%%.%%%",
        "凭证.凭证.凭证",
        "x" * 5000,
        "\x00.\x00.\x00",
        b64(b"[1,2]") + "." + b64(b"{}") + ".AA",
        b64(b'{"alg":"none","kid":"A","typ":"yrd-credential+jws"}') + "." + b64(b"{}") + ".AA",
        b64(b'{"alg":"EdDSA","kid":"A","typ":"yrd-credential+jws"}') + "." + b64(b'{"v":1}') + ".AA",
        b64(b'{"alg":"EdDSA","kid":"A","typ":"yrd-credential+jws"}')
        + "."
        + b64(b'{"v":1,"kind":"M2","jti":"j","iss":"x","iat":1e400,"exp":1,"data":{}}')
        + ".AA",
        b64(b"[" * 1500) + "." + b64(b"{}") + ".AAAA",  # nesting deep enough to overflow a parser
        b64(b'{"alg":"EdDSA","kid":"A","typ":"yrd-credential+jws"}') + "." + b64(b"[" * 2000) + ".AAAA",
    ],
)
def test_what_is_not_a_credential_is_malformed(text):
    with pytest.raises(MalformedCredential):
        verify(text, trust=Trust(keys={}, revoked={}, issued_at=timezone.now()))


def test_a_truncated_credential_is_malformed_or_tampered_never_valid(issuer):
    token, _, _ = sign(issuer)
    for cut in (10, len(token) // 2, len(token) - 5):
        with contextlib.suppress(MalformedCredential):
            assert verify(token[:cut], trust=fresh()).result != Result.VALID


def test_offline_against_a_downloaded_trust_list(issuer):
    token, _, _jti = sign(issuer)
    revoked, _, revoked_jti = sign(issuer)
    credentials.credential_revoke(
        jti=revoked_jti, kind="M2", organisation=issuer, expires_at=timezone.now() + timedelta(days=30), reason="r"
    )
    downloaded = json.loads(json.dumps(signed_trust_list()))  # as fetched from /trust-list.json
    assert downloaded["list"]["revoked_credentials"][0]["jti"] == revoked_jti
    assert "reason" not in downloaded["list"]["revoked_credentials"][0]  # the list is public
    trust = Trust.from_trust_list(verify_trust_list(downloaded))
    assert verify(token, trust=trust).result == Result.VALID
    assert verify(revoked, trust=trust).result == Result.REVOKED


def test_online_verification_learns_of_a_revocation_at_commit(issuer, django_capture_on_commit_callbacks):
    token, _, jti = sign(issuer)
    assert verify(token).result == Result.VALID  # read and kept for CREDENTIAL_TRUST_SECONDS
    with django_capture_on_commit_callbacks(execute=True):
        credentials.credential_revoke(
            jti=jti, kind="M2", organisation=issuer, expires_at=timezone.now() + timedelta(days=30), reason="r"
        )
    assert verify(token).result == Result.REVOKED


def test_the_keys_public_half_is_raw_ed25519(issuer):
    key = active_key(issuer, algorithm="EdDSA")
    raw = key.certificate.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert len(raw) == 32


def test_a_trust_list_with_odd_times_or_organisations_is_refused(issuer):
    sign(issuer)
    listed = verify_trust_list(json.loads(json.dumps(signed_trust_list())))
    for change in (
        lambda entry: entry.update(valid_from=123),
        lambda entry: entry.update(valid_until="2030-01-01T00:00:00"),
        lambda entry: entry.update(organisation="ah-liaison"),
    ):
        odd = json.loads(json.dumps(listed))
        for entry in odd["keys"]:
            if entry["algorithm"] == "EdDSA":
                change(entry)
        with pytest.raises(ValueError):
            Trust.from_trust_list(odd)
