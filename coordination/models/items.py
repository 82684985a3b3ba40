"""Items: rows inside a case that carry their own small state — an addressee's receipt, a
tracing letter's persons, a supply request's lines and pledges, a manifest's passengers.

An item has its own `version`: an action on one item checks that item's version, not the
case's, so two addressees acknowledging the same notice at the same moment both succeed. Its
actions are fired by the engine (`transition_fire` with a transition declared `item=`), audited
in the parent case's chain, and visible under the parent's permissions.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from coordination.models.organisations import Organisation


class CaseItem(FSMModelMixin, models.Model):
    """The shared base of items: their version (what an item action checks) and timestamps.
    A concrete item names its case (a foreign key, or a generic one for a pattern's items) and
    declares its states with django-fsm."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        abstract = True


class ReceiptState(models.TextChoices):
    RECEIVED = "received", _("Received")
    READ = "read", _("Read")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    OBJECTED = "objected", _("Objected")


class Receipt(CaseItem):
    """An addressee's receipt of a notice (pattern: notice with receipts): received → read →
    acknowledged, or objected with a reason, which the originator answers (→ read again)."""

    State = ReceiptState
    S = ReceiptState
    ANSWERED = (S.ACKNOWLEDGED, S.OBJECTED)

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    case = GenericForeignKey("content_type", "object_id")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("organisation")
    )
    state = FSMField(_("receipt"), max_length=16, choices=ReceiptState.choices, default=S.RECEIVED, protected=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    objection = models.TextField(_("objection"), blank=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "organisation"], name="unique_receipt")
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id", "state"], name="receipt_case_state"),
            models.Index(fields=["organisation", "content_type", "object_id"], name="receipt_org_case"),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_state_display()})"

    @property
    def is_answered(self) -> bool:
        return self.state in self.ANSWERED

    @transition(state, source=S.RECEIVED, target=S.READ)
    def mark_read(self, now):
        self.read_at = now

    @transition(state, source=[S.RECEIVED, S.READ], target=S.ACKNOWLEDGED)
    def acknowledge(self, now):
        self.acknowledged_at = now
        self.read_at = self.read_at or now

    @transition(state, source=[S.RECEIVED, S.READ], target=S.OBJECTED)
    def raise_objection(self, now, reason: str):
        self.objection = reason
        self.read_at = self.read_at or now

    @transition(state, source=S.OBJECTED, target=S.READ)
    def answer_objection(self):
        """The originator answered: the addressee acknowledges, or objects again."""

    @transition(state, source="*", target=S.RECEIVED)
    def restart(self):
        """A new edition of the notice: every receipt starts again."""
        self.read_at = None
        self.acknowledged_at = None
        self.objection = ""
