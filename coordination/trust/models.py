"""Signing keys: the Office's root and each issuing organisation's keys, current and past."""

import functools

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.models import Organisation


class KeyStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    EXPIRED = "expired", _("expired")
    REVOKED = "revoked", _("revoked")


class SigningKey(models.Model):
    """A key pair and its certificate. The private half is stored only encrypted
    (`crypto.encrypt_private_key`) and never leaves `services.key_material`.

    A key is *current* while neither retired (rotated out) nor revoked: the one its organisation
    signs with. A retired key no longer signs but its documents verify until `valid_until`.
    An organisation holds one current key per algorithm: ES256 for its documents, EdDSA for the
    credentials it issues (release notices, health-code tokens, passes)."""

    class Algorithm(models.TextChoices):
        ES256 = "ES256", "ECDSA P-256 / SHA-256"  # documents (PAdES) and the trust list itself
        EDDSA = "EdDSA", "Ed25519"  # credentials: compact payloads in QR codes (RFC 8037)

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signing_keys",
        verbose_name=_("organisation"),
    )
    issuer = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("issued by")
    )
    is_root = models.BooleanField(_("root key"), default=False)
    kid = models.CharField(_("key id"), max_length=16, unique=True)
    algorithm = models.CharField(_("algorithm"), max_length=16, choices=Algorithm.choices, default=Algorithm.ES256)
    certificate_pem = models.TextField(_("certificate"))
    private_key_encrypted = models.TextField(editable=False)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.CharField(_("revocation reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-is_root", "organisation_id", "-valid_from"]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_root=True, organisation__isnull=True) | Q(is_root=False, organisation__isnull=False),
                name="signing_root_has_no_organisation",
            ),
            models.UniqueConstraint(
                fields=["organisation", "algorithm"],
                condition=Q(is_root=False, retired_at__isnull=True, revoked_at__isnull=True),
                name="signing_one_current_key_per_organisation_and_algorithm",
            ),
            models.UniqueConstraint(
                fields=["is_root"],
                condition=Q(is_root=True, retired_at__isnull=True, revoked_at__isnull=True),
                name="signing_one_current_root",
            ),
        ]

    def __str__(self):
        return f"{self.kid} ({self.organisation.name_zh if self.organisation_id else _('root')})"

    def __repr__(self):
        return f"<SigningKey {self.kid} {'root' if self.is_root else self.organisation_id} {self.status()}>"

    def status(self, at=None) -> str:
        at = at or timezone.now()
        if self.revoked_at is not None and self.revoked_at <= at:
            return KeyStatus.REVOKED
        if at >= self.valid_until:
            return KeyStatus.EXPIRED
        return KeyStatus.ACTIVE

    @property
    def is_current(self) -> bool:
        return self.retired_at is None and self.revoked_at is None

    @functools.cached_property
    def certificate(self):
        from coordination.trust.certificates import load_pem

        return load_pem(self.certificate_pem)

    @property
    def public_key_pem(self) -> str:
        from coordination.trust.certificates import public_key_pem

        return public_key_pem(self.certificate)


class RevokedCredential(models.Model):
    """A credential its issuer revoked (coordination/trust/credentials.py): published with the
    trust list until the credential would have expired anyway, so offline verifiers learn of it."""

    jti = models.CharField(_("credential id"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=8)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing organisation")
    )
    revoked_at = models.DateTimeField(_("revoked at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    reason = models.CharField(_("revocation reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["-revoked_at"]
        verbose_name = _("revoked credential")
        verbose_name_plural = _("revoked credentials")

    def __str__(self):
        return f"{self.kind} {self.jti}"
