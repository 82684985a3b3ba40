"""M2: mutual recognition of health-observation release notices (健康观察解除告知单互认). When a
person completes medical or home observation, the region that observed them issues a release
notice; every other region recognises it instead of observing the person again. Configuration
of the *credential* pattern: the notice is a signed credential (its PDF's QR code), verified
offline against the trust list, revocable by its issuer.

The resident ID number is encrypted at rest, searched by keyed hash and shown masked; the
credential carries only masks (name and number), the observation period and place, and the
issuer, so scanning it tells a checkpoint no more than the paper notice would."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from coordination.models import Region
from coordination.pii import crypto, idcard
from coordination.pii.fields import EncryptedCharField
from coordination.workflow.patterns import CredentialCase

ID_PURPOSE = "release_notices.id_number"


class IdentityDocument(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")
    PASSPORT = "passport", _("Passport")


class ObservationKind(models.TextChoices):
    CENTRALISED = "centralised", _("Centralised medical observation")
    HOME = "home", _("Home health observation")


class ReleaseNotice(CredentialCase):
    IdentityDocument = IdentityDocument
    ObservationKind = ObservationKind

    person_name = models.CharField(_("name"), max_length=64)
    id_type = models.CharField(
        _("identity document"), max_length=16, choices=IdentityDocument.choices, default=IdentityDocument.RESIDENT_ID
    )
    id_number = EncryptedCharField(_("ID number"), purpose=ID_PURPOSE)
    id_number_hash = models.CharField(_("ID number search hash"), max_length=64, editable=False, db_index=True)
    id_number_masked = models.CharField(_("ID number"), max_length=32, editable=False)
    observation_kind = models.CharField(_("kind of observation"), max_length=16, choices=ObservationKind.choices)
    observation_start = models.DateField(_("observation from"))
    observation_end = models.DateField(_("observation until"))
    observation_place = models.CharField(_("place of observation"), max_length=200)
    # Where the person goes next, when known (the region that will recognise the notice first).
    destination_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("destination region"),
    )

    class Meta(CredentialCase.Meta):
        verbose_name = _("release notice")
        verbose_name_plural = _("release notices")
        permissions = [("unmask_releasenotice", "Can see full ID numbers of release notices")]

    def save(self, *args, **kwargs):
        self.fill_personal_columns()
        super().save(*args, **kwargs)

    def fill_personal_columns(self) -> None:
        self.id_number_hash = crypto.search_hash(self.id_number, purpose=ID_PURPOSE)
        self.id_number_masked = idcard.mask(self.id_number)

    @property
    def person_name_masked(self) -> str:
        return idcard.mask_name(self.person_name or "")

    def credential_data(self) -> dict:
        return {
            "ref": self.reference,
            "name": self.person_name_masked,
            "doc": self.id_type,
            "id": self.id_number_masked,
            "obs": self.observation_kind,
            "from": self.observation_start.isoformat(),
            "until": self.observation_end.isoformat(),
            "place": self.observation_place,
            "issuer": self.originator.name_zh,
        }


class ReleaseNoticeGroupObjectPermission(GroupObjectPermissionBase):
    """guardian's direct-foreign-key permission table for release notices."""

    content_object = models.ForeignKey(ReleaseNotice, on_delete=models.CASCADE)
