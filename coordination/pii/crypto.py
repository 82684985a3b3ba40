"""Encryption at rest of personal numbers (AES-256-GCM) and their keyed search hashes (HMAC-SHA256).

Both keys are derived from settings.FIELD_ENCRYPTION_KEY with HKDF, each for its own purpose, so
the search hash reveals nothing about the encryption key. A ciphertext is bound to its purpose
(associated data), so an ID number's ciphertext copied into the phone column does not decrypt.
"""

import base64
import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "v1:"
NONCE_BYTES = 12


class DecryptionError(Exception):
    pass


@functools.cache
def _derive(master: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"yrd-field-keys", info=purpose).derive(master.encode())


def _key(purpose: bytes) -> bytes:
    return _derive(settings.FIELD_ENCRYPTION_KEY, purpose)


def encrypt(plaintext: str, *, purpose: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(_key(b"encrypt")).encrypt(nonce, plaintext.encode(), purpose.encode())
    return PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt(token: str, *, purpose: str) -> str:
    if not token.startswith(PREFIX):
        raise DecryptionError("unknown ciphertext format")
    raw = base64.b64decode(token.removeprefix(PREFIX))
    try:
        return AESGCM(_key(b"encrypt")).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode()).decode()
    except Exception as exc:
        raise DecryptionError("ciphertext does not decrypt with this key and purpose") from exc


def search_hash(value: str, *, purpose: str) -> str:
    """The keyed hash a column is searched by: equal values, equal hashes; no key, no guessing
    (an ID number has too few possible values for a plain hash to hide it)."""
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(_key(b"search"), message, hashlib.sha256).hexdigest()


def search_digest(value: str, *, purpose: str, size: int = 16) -> bytes:
    """`search_hash` as its first `size` raw bytes, for tables of millions of rows (a daily
    health-code list) where the key's width is the index's: 16 bytes leave a collision among
    a billion numbers at odds of 10⁻²¹."""
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(_key(b"search"), message, hashlib.sha256).digest()[:size]


def search_digester(*, purpose: str, size: int = 16):
    """`search_digest` for many values of one purpose: the keyed hash prepared once (a list
    of a million numbers is hashed in one loop)."""
    prepared = hmac.new(_key(b"search"), f"{purpose}\x00".encode(), hashlib.sha256)

    def digest(value: str) -> bytes:
        mac = prepared.copy()
        mac.update(value.encode())
        return mac.digest()[:size]

    return digest
