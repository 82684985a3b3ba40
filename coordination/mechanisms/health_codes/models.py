"""F1: health-code mutual recognition across the Delta (长三角健康码互认通用, "有码认码、无码认单").

Population scale, not a case per person: each region uploads its red/yellow-code list every day
(`CodeList`, about a million rows across the four); a person's colour anywhere in the Delta is
the most severe colour the latest list of each region gives their ID number; a region's code
service issues signed, time-limited status tokens (credentials of kind F1, tokens.py) that a
checkpoint verifies against the issuer's key and the latest lists.

No ID number is stored: the lists hold the first 16 bytes of its keyed hash
(coordination.pii.crypto.search_digest), so a list that leaks names nobody.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordination.models import Organisation, Region

ID_PURPOSE = "health_codes.id_number"


class Colour(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


SEVERITY = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}
ENTRY_COLOUR = {"y": Colour.YELLOW, "r": Colour.RED}  # one character per row of a million


class CodeList(models.Model):
    """One region's red/yellow list of one day. Uploading the same content again for the same
    day answers the list already held (idempotent); different content for the same day replaces
    it (the older one is kept, superseded, until purged)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    list_date = models.DateField(_("list date"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by organisation")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    sha256 = models.CharField(_("SHA-256 of the content"), max_length=64)
    records = models.PositiveIntegerField(_("records"), default=0)
    red = models.PositiveIntegerField(_("red"), default=0)
    yellow = models.PositiveIntegerField(_("yellow"), default=0)
    duplicates = models.PositiveIntegerField(_("repeated ID numbers"), default=0)
    skipped = models.PositiveIntegerField(_("invalid rows skipped"), default=0)
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)

    class Meta:
        ordering = ["-list_date", "-uploaded_at"]
        verbose_name = _("red/yellow-code list")
        verbose_name_plural = _("red/yellow-code lists")
        indexes = [models.Index(fields=["region", "-list_date"], name="health_codes_list_latest")]

    def __str__(self):
        return f"{self.region_id} {self.list_date} ({self.records})"


class CodeListEntry(models.Model):
    """A person on a list: their ID number's keyed hash and colour (r or y). Written by the
    bulk loader (ingest.py), read by the index on (digest, list)."""

    code_list = models.ForeignKey(CodeList, on_delete=models.CASCADE, related_name="+", db_index=False)
    digest = models.BinaryField(max_length=16)
    colour = models.CharField(max_length=1)

    class Meta:
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        # Covering (PostgreSQL): a lookup reads the index alone, never the million-row heap.
        indexes = [models.Index(fields=["digest", "code_list"], include=["colour"], name="health_codes_entry_digest")]

    def __str__(self):
        return f"{self.code_list_id}:{self.colour}"


class VerificationCount(models.Model):
    """How many F1 status tokens were verified, per day, issuing region, checking region (empty:
    an anonymous checker) and result: what the briefing shows."""

    day = models.DateField(_("day"))
    issuer_region = models.CharField(_("issuing region"), max_length=6)
    verifier_region = models.CharField(_("checking region"), max_length=6, blank=True)
    result = models.CharField(_("result"), max_length=16)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("health-code verification count")
        verbose_name_plural = _("health-code verification counts")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "issuer_region", "verifier_region", "result"], name="health_codes_count_unique"
            )
        ]

    def __str__(self):
        return f"{self.day} {self.issuer_region}→{self.verifier_region or '-'} {self.result}: {self.count}"
