"""*Request–review*: request–reply ending in a decision (approve, return for correction,
reject), as insurance filings and pass applications need."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from coordination.models import Case, Participant
from coordination.models.catalogue import Pattern
from coordination.workflow.patterns.payloads import NoPayload, ReasonPayload
from coordination.workflow.transitions import case_transition

Role = Participant.Role


class ReviewCase(Case):
    """*Request–reply* ending in a decision: the responsible organisation approves, returns for
    correction or rejects; the requester corrects and resubmits (each correction in the audit
    trail) or withdraws."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for correction")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    S = State
    pattern = Pattern.REQUEST_REPLY
    OPEN_STATES = (S.SUBMITTED, S.RETURNED)
    timed_states = {S.SUBMITTED: (Role.RESPONDER,)}

    state = FSMField(_("state"), max_length=32, choices=State.choices, default=S.SUBMITTED, protected=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    fields_to_correct = models.JSONField(_("fields to correct"), default=list, blank=True)
    resubmissions = models.PositiveSmallIntegerField(_("resubmissions"), default=0)

    class Meta(Case.Meta):
        abstract = True

    @case_transition(
        state,
        source=S.SUBMITTED,
        target=S.APPROVED,
        label=_("Approve"),
        permission="respond",
        payload=NoPayload,
    )
    def approve(self, ctx):
        self.take_fields(ctx.data)
        self.decided_at = ctx.now
        self.decision_recorded(ctx, self.S.APPROVED)

    @case_transition(
        state,
        source=S.SUBMITTED,
        target=S.RETURNED,
        label=_("Return for correction"),
        permission="respond",
        payload=ReasonPayload,
    )
    def return_for_correction(self, ctx):
        self.take_fields(ctx.data)

    @case_transition(
        state,
        source=S.SUBMITTED,
        target=S.REJECTED,
        label=_("Reject"),
        permission="respond",
        payload=ReasonPayload,
    )
    def reject(self, ctx):
        self.take_fields(ctx.data)
        self.decided_at = ctx.now
        self.closed_at = ctx.now
        self.decision_recorded(ctx, self.S.REJECTED)

    @case_transition(
        state,
        source=S.RETURNED,
        target=S.SUBMITTED,
        label=_("Resubmit"),
        permission="originate",
        payload=NoPayload,
    )
    def resubmit(self, ctx):
        """The requester corrects the fields (the payload) and sends the case again; what
        changed is kept in the audit entry (`record_correction`)."""
        ctx.record = self.record_correction(ctx.data)
        self.take_fields(ctx.data)
        self.resubmissions += 1
        self.fields_to_correct = []

    @case_transition(
        state,
        source=[S.SUBMITTED, S.RETURNED],
        target=S.WITHDRAWN,
        label=_("Withdraw"),
        permission="originate",
        payload=ReasonPayload,
    )
    def withdraw(self, ctx):
        self.closed_at = ctx.now

    def decision_recorded(self, ctx, outcome: str) -> None:
        """Before the state becomes `outcome`: a mechanism's fields derived from
        the decision (e.g. the code its receipt carries)."""

    def record_correction(self, data: dict) -> dict:
        """What the audit entry keeps of a correction (it overrides the request's payload)."""
        return {"corrected": sorted(data)}
