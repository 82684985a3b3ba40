"""*Credential*: an organisation issues a signed document about a person or a vehicle (a release
notice, a pass); any region verifies it offline against the trust list; the issuer can revoke it,
and it expires on its own.

The case is born issued: the mechanism's create service makes the case and calls
`credential_issue`, which signs the mechanism's `credential_data()` with the issuer's credential
key (coordination/trust/credentials.py) and keeps the token — what its PDF's QR code carries.
Revoking publishes the revocation with the trust list; `credentials_expire` (Celery beat) moves
credentials past their expiry to expired. Verification needs no case: `credentials.verify`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from coordination.models import Case
from coordination.models.catalogue import Pattern
from coordination.workflow.patterns.payloads import ReasonPayload
from coordination.workflow.transitions import case_transition


class CredentialCase(Case):
    class State(models.TextChoices):
        ISSUED = "issued", _("Issued")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    S = State
    pattern = Pattern.CREDENTIAL

    state = FSMField(_("state"), max_length=32, choices=State.choices, default=S.ISSUED, protected=True)
    credential_id = models.CharField(_("credential id"), max_length=32, unique=True, null=True, editable=False)
    kid = models.CharField(_("signing key"), max_length=16, blank=True, editable=False)
    token = models.TextField(_("signed credential"), blank=True, editable=False)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("valid until"), db_index=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)

    class Meta(Case.Meta):
        abstract = True

    def credential_data(self) -> dict:
        """The claims the mechanism signs about its subject: short keys, masked personal data
        only (the QR code is shown to whoever checks it)."""
        raise NotImplementedError

    @property
    def credential_kind(self) -> str:
        return self.mechanism_id

    @case_transition(
        state,
        source=S.ISSUED,
        target=S.REVOKED,
        label=_("Revoke"),
        permission="originate",
        payload=ReasonPayload,
    )
    def revoke(self, ctx):
        from coordination.pii.text import mask_text
        from coordination.trust.credentials import credential_revoke

        reason = mask_text(ctx.data["reason"])  # an ID or phone number in it is not kept in full
        self.revoked_at = ctx.now
        self.revocation_reason = reason
        credential_revoke(
            jti=self.credential_id,
            kind=self.credential_kind,
            organisation=self.originator,
            expires_at=self.expires_at,
            reason=reason,
            at=ctx.now,
        )

    @case_transition(state, source=S.ISSUED, target=S.EXPIRED, label=_("Expire"), system=True)
    def expire(self, ctx):
        """Fired by the system (Celery beat) once the credential's validity has ended."""


def credential_issue(case: CredentialCase) -> CredentialCase:
    """Sign the new case's credential with its originator's key and keep it on the case (in the
    create service's transaction). The expiry may be shortened to the key's own validity."""
    from coordination.trust.credentials import credential_sign

    issued_at = case.created_at
    token, kid, jti, expires_at = credential_sign(
        case.originator,
        kind=case.credential_kind,
        data=case.credential_data(),
        issued_at=issued_at,
        expires_at=case.expires_at,
    )
    type(case).objects.filter(pk=case.pk).update(
        token=token, kid=kid, credential_id=jti, issued_at=issued_at, expires_at=expires_at
    )
    case.token, case.kid, case.credential_id, case.issued_at, case.expires_at = token, kid, jti, issued_at, expires_at
    return case
