"""Key pairs, their ids, and the encryption at rest of their private halves.

A private key is stored only as AES-256-GCM ciphertext of its PKCS#8 DER, under a key derived
with HKDF from settings.SIGNING_KEYS_SECRET and bound to the key's kid (associated data), so a
ciphertext copied into another row does not decrypt. Without the secret, DEBUG derives the
wrapping key from SECRET_KEY (for development only); production mode refuses to sign.
"""

import base64
import functools
import hashlib
import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1:"
NONCE_BYTES = 12
KID_LENGTH = 16  # base32 characters: 80 bits of the public key's SHA-256
ALGORITHM = "ES256"  # ECDSA on P-256 with SHA-256 (RFC 7518 §3.4)
CREDENTIAL_ALGORITHM = "EdDSA"  # Ed25519 (RFC 8037): credentials' compact signatures
NOT_CONFIGURED = (
    "SIGNING_KEYS_SECRET is not set: production mode (DJANGO_DEBUG=0) does not sign without it. "
    "Set it to a random string of at least 32 characters, kept out of the database's backups."
)


class KeyDecryptionError(Exception):
    """A stored private key does not decrypt: another SIGNING_KEYS_SECRET, or an altered row."""


PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey


def kid_for(public_key: PublicKey) -> str:
    """The key's short stable id: base32 of the SHA-256 of its SubjectPublicKeyInfo, 16 characters."""
    spki = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b32encode(hashlib.sha256(spki).digest()).decode()[:KID_LENGTH]


def kid_serial_number(kid: str) -> int:
    """The certificate serial number that carries the kid: its 80 bits as an integer."""
    return int.from_bytes(base64.b32decode(kid), "big") or 1


def generate_private_key(algorithm: str = ALGORITHM) -> PrivateKey:
    """A new key for the algorithm: ES256 (documents, the trust list) or EdDSA (credentials)."""
    if algorithm == CREDENTIAL_ALGORITHM:
        return ed25519.Ed25519PrivateKey.generate()
    if algorithm != ALGORITHM:
        raise ValueError(f"unknown signing algorithm {algorithm!r}")
    return ec.generate_private_key(ec.SECP256R1())


@functools.cache
def _derive(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"yrd-signing-keys", info=info).derive(secret.encode())


def _wrapping_key() -> bytes:
    secret = settings.SIGNING_KEYS_SECRET
    if secret:
        return _derive(secret, b"private-keys/v1")
    if not settings.DEBUG:
        raise ImproperlyConfigured(NOT_CONFIGURED)
    return _derive(settings.SECRET_KEY, b"private-keys/v1/development-from-secret-key")


def require_secret() -> None:
    """Raise ImproperlyConfigured where signing may not start (production without the secret)."""
    _wrapping_key()


def encrypt_private_key(private_key: PrivateKey, *, kid: str) -> str:
    der = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(_wrapping_key()).encrypt(nonce, der, b"signing-key:" + kid.encode())
    return PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt_private_key(token: str, *, kid: str) -> PrivateKey:
    if not token.startswith(PREFIX):
        raise KeyDecryptionError(f"The private key of signing key {kid} is in an unknown format.")
    raw = base64.b64decode(token.removeprefix(PREFIX))
    try:
        der = AESGCM(_wrapping_key()).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], b"signing-key:" + kid.encode())
    except Exception as exc:
        raise KeyDecryptionError(
            f"The private key of signing key {kid} does not decrypt with the configured SIGNING_KEYS_SECRET "
            "(it was encrypted under another secret, or the stored value was altered)."
        ) from exc
    key = serialization.load_der_private_key(der, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey):  # pragma: no cover
        raise KeyDecryptionError(f"Signing key {kid} is neither a P-256 nor an Ed25519 key.")
    return key


def check_signing_secret(app_configs=None, **kwargs):
    """`manage.py check --deploy`: production mode signs only with SIGNING_KEYS_SECRET set."""
    if not settings.DEBUG and not settings.SIGNING_KEYS_SECRET:
        return [checks.Error(NOT_CONFIGURED, id="trust.E001")]
    return []
