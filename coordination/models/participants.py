"""Organisations attached to a case, with the role they play in it."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordination.models.organisations import Organisation


class Role(models.TextChoices):
    ORIGINATOR = "originator", _("Originator")
    ADDRESSEE = "addressee", _("Addressee")
    RESPONDER = "responder", _("Responder")
    REVIEWER = "reviewer", _("Reviewer")
    OBSERVER = "observer", _("Observer")


class ReceiptState(models.TextChoices):
    """An addressee's receipt of a notice (pattern: notice with receipts)."""

    RECEIVED = "received", _("Received")
    READ = "read", _("Read")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    OBJECTED = "objected", _("Objected")


class Participant(models.Model):
    Role = Role
    ReceiptState = ReceiptState

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    case = GenericForeignKey("content_type", "object_id")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="participations", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)
    # Receipts, for addressees of a notice:
    receipt_state = models.CharField(_("receipt"), max_length=16, choices=ReceiptState.choices, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    objection = models.TextField(_("objection"), blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "organisation", "role"], name="unique_participant_role"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "content_type", "object_id"], name="participant_org_case"),
            models.Index(fields=["content_type", "object_id"], name="participant_case"),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"
