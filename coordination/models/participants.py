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


class Participant(models.Model):
    Role = Role

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    case = GenericForeignKey("content_type", "object_id")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="participations", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

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
