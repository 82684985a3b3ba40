"""Creating, rotating and revoking signing keys; the decrypted key material a signer uses.

`active_key(organisation)` is what a caller needs: the organisation's current key, created on
first use (with the root when there is none yet) and replaced when it nears expiry. Decrypted
private keys are kept per process by kid (`key_material`), so a worker decrypts each key once.
"""

import logging
import threading
from dataclasses import dataclass, field
from datetime import timedelta

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from coordination.models import Organisation
from coordination.trust import certificates, crypto
from coordination.trust.models import SigningKey

log = logging.getLogger(__name__)
# A new certificate is dated a little in the past: a verifier whose clock lags still accepts it.
CLOCK_SKEW = timedelta(minutes=5)


class SigningKeyError(Exception):
    """A key operation that cannot be done (revoking the root, a second current key…)."""


@dataclass(frozen=True, repr=False)
class KeyMaterial:
    """A key's decrypted private half with its certificate chain, as the signers need them."""

    kid: str
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]  # the issuer's certificate(s) up to and including the root
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)
    # What the signers build from the key once (pyHanko's signer, the signature's size): dropped
    # with the key by forget_key_material.
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __repr__(self):
        return f"<KeyMaterial {self.kid}>"

    @property
    def asn1_certificate(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.certificate.public_bytes(serialization.Encoding.DER))

    def asn1_private_key(self) -> asn1_keys.PrivateKeyInfo:
        return asn1_keys.PrivateKeyInfo.load(
            self.private_key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )


_materials: dict[str, KeyMaterial] = {}
_materials_lock = threading.Lock()


def key_material(key: SigningKey) -> KeyMaterial:
    """The key's private half, decrypted once per process. Raises KeyDecryptionError."""
    with _materials_lock:
        material = _materials.get(key.kid)
    if material is not None:
        return material
    private_key = crypto.decrypt_private_key(key.private_key_encrypted, kid=key.kid)
    chain = () if key.issuer_id is None else (key.issuer.certificate,)
    material = KeyMaterial(kid=key.kid, certificate=key.certificate, chain=chain, private_key=private_key)
    with _materials_lock:
        return _materials.setdefault(key.kid, material)


def forget_key_material(kid: str | None = None) -> None:
    """Drop the decrypted key (all of them with no kid) from this process's cache."""
    with _materials_lock:
        if kid is None:
            _materials.clear()
        else:
            _materials.pop(kid, None)


# --- the root -------------------------------------------------------------------------------------


def _root_name() -> str:
    office = Organisation.objects.filter(kind=Organisation.Kind.COOPERATION_OFFICE).order_by("pk").first()
    return office.name_zh if office else certificates.ROOT_NAME


def _current(queryset):
    return queryset.filter(retired_at__isnull=True, revoked_at__isnull=True)


def root_key(*, create: bool = True) -> SigningKey | None:
    """The Office's current root key, created when missing (if `create`)."""
    key = _current(SigningKey.objects.filter(is_root=True)).first()
    if key is None and create:
        key = _create_root()
    return key


def _create_root() -> SigningKey:
    crypto.require_secret()
    private_key = crypto.generate_private_key()
    kid = crypto.kid_for(private_key.public_key())
    now = timezone.now()
    not_before, not_after = now - CLOCK_SKEW, now + timedelta(days=settings.SIGNING_ROOT_VALIDITY_DAYS)
    certificate = certificates.root_certificate(
        private_key,
        name=_root_name(),
        kid=kid,
        serial=crypto.kid_serial_number(kid),
        not_before=not_before,
        not_after=not_after,
    )
    try:
        with transaction.atomic():
            key = SigningKey.objects.create(
                is_root=True,
                kid=kid,
                certificate_pem=certificates.to_pem(certificate),
                private_key_encrypted=crypto.encrypt_private_key(private_key, kid=kid),
                valid_from=not_before,
                valid_until=not_after,
            )
    except IntegrityError:
        # Another process created the root at the same moment: use theirs.
        return root_key(create=False)
    log.info("signing: created root key %s", kid)
    return key


# --- issuers' keys --------------------------------------------------------------------------------


def _create_issuer_key(organisation: Organisation, root: SigningKey, algorithm: str) -> SigningKey:
    """A new key for the organisation, its certificate signed by the root. Within a transaction."""
    private_key = crypto.generate_private_key(algorithm)
    kid = crypto.kid_for(private_key.public_key())
    root_material = key_material(root)
    now = timezone.now()
    certificate = certificates.issuer_certificate(
        private_key.public_key(),
        name=organisation.name_zh,
        kid=kid,
        serial=crypto.kid_serial_number(kid),
        not_before=now - CLOCK_SKEW,
        not_after=now + timedelta(days=settings.SIGNING_KEY_VALIDITY_DAYS),
        root=root_material.certificate,
        root_private_key=root_material.private_key,
    )
    key = SigningKey.objects.create(
        organisation=organisation,
        issuer=root,
        kid=kid,
        algorithm=algorithm,
        certificate_pem=certificates.to_pem(certificate),
        private_key_encrypted=crypto.encrypt_private_key(private_key, kid=kid),
        valid_from=certificate.not_valid_before_utc,
        valid_until=certificate.not_valid_after_utc,
    )
    log.info("signing: created %s key %s for organisation %s", algorithm, kid, organisation.pk)
    return key


def _due_for_renewal(key: SigningKey) -> bool:
    return key.valid_until - timedelta(days=settings.SIGNING_KEY_RENEW_DAYS) <= timezone.now()


def active_key(
    organisation: Organisation, *, algorithm: str = crypto.ALGORITHM, create: bool = True
) -> SigningKey | None:
    """The key the organisation signs with now — its documents' (ES256) unless `algorithm`
    asks for its credentials' (EdDSA). With `create`: made on first use (and the root with it),
    and replaced by a fresh one when fewer than SIGNING_KEY_RENEW_DAYS remain."""
    key = _current(
        SigningKey.objects.select_related("issuer", "organisation").filter(
            organisation=organisation, algorithm=algorithm
        )
    ).first()
    if not create or (key is not None and not _due_for_renewal(key) and key.issuer.is_current):
        return key
    return key_rotate(organisation=organisation, algorithm=algorithm, only_if_due=True)


def key_create(
    *, organisation: Organisation | None = None, root: bool = False, algorithm: str = crypto.ALGORITHM
) -> SigningKey:
    """A first key for the organisation (or the root). Refused when one is current already."""
    if root == (organisation is not None):
        raise ValueError("key_create takes an organisation, or root=True")
    if root:
        if root_key(create=False) is not None:
            raise SigningKeyError("A root key is current already.")
        return _create_root()
    if _current(SigningKey.objects.filter(organisation=organisation, algorithm=algorithm)).exists():
        raise SigningKeyError(f"{organisation.name_zh} has a current {algorithm} key already: rotate it instead.")
    return key_rotate(organisation=organisation, algorithm=algorithm)


def key_rotate(
    *, organisation: Organisation, algorithm: str = crypto.ALGORITHM, only_if_due: bool = False
) -> SigningKey:
    """Retire the organisation's current key (it keeps verifying until it expires) and make a new
    one current. `only_if_due`: leave a current key that is not near expiry in place (the
    first-use path of active_key, safe when two workers get there at once)."""
    crypto.require_secret()
    root = root_key(create=True)
    with transaction.atomic():
        # The organisation's row serialises concurrent rotations (and first uses).
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        current = _current(
            SigningKey.objects.select_related("issuer").filter(organisation=organisation, algorithm=algorithm)
        ).first()
        if only_if_due and current is not None and not _due_for_renewal(current) and current.issuer.is_current:
            return current
        if current is not None:
            current.retired_at = timezone.now()
            current.save(update_fields=["retired_at"])
            log.info("signing: retired key %s of organisation %s", current.kid, organisation.pk)
        return _create_issuer_key(organisation, root, algorithm)


def key_revoke(*, kid: str, reason: str) -> SigningKey:
    """Revoke a key: every document it signed reports "revoked" from now on, and its
    organisation's next signature makes a new key."""
    reason = reason.strip()
    if not reason:
        raise SigningKeyError("A revocation needs a reason.")
    with transaction.atomic():
        key = SigningKey.objects.select_for_update().filter(kid=kid).first()
        if key is None:
            raise SigningKeyError(f"No signing key {kid}.")
        if key.is_root:
            raise SigningKeyError("The root key is not revoked here: it would invalidate every issuer at once.")
        if key.revoked_at is not None:
            raise SigningKeyError(f"Signing key {kid} was revoked already.")
        key.revoked_at = timezone.now()
        key.revocation_reason = reason[:500]
        key.save(update_fields=["revoked_at", "revocation_reason"])
    forget_key_material(kid)
    log.warning("signing: revoked key %s of organisation %s", kid, key.organisation_id)
    return key


def ensure_demo_keys() -> list[SigningKey]:
    """The root and a current document key and credential key for every organisation
    (idempotent: the demo seeding calls it)."""
    return [
        active_key(organisation, algorithm=algorithm)
        for organisation in Organisation.objects.order_by("pk")
        for algorithm in (crypto.ALGORITHM, crypto.CREDENTIAL_ALGORITHM)
    ]
