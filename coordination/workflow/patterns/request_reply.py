"""*Request–reply*: one requester, one responsible organisation that accepts, replies, returns
for correction or refuses before a deadline."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from coordination.models import Case, Participant
from coordination.models.catalogue import Pattern
from coordination.workflow.patterns.payloads import NoPayload, ReasonPayload, ReplyPayload
from coordination.workflow.transitions import case_transition

Role = Participant.Role


class RequestReplyCase(Case):
    """*Request–reply*: one requester, one responsible organisation that must accept, reply,
    return for correction or refuse before a deadline; the requester closes or reopens."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned for correction")
        REPLIED = "replied", _("Replied")
        CLOSED = "closed", _("Closed")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    S = State
    pattern = Pattern.REQUEST_REPLY
    timed_states = {S.SUBMITTED: (Role.RESPONDER,), S.ACCEPTED: (Role.RESPONDER,)}

    state = FSMField(_("state"), max_length=32, choices=State.choices, default=S.SUBMITTED, protected=True)
    result = models.TextField(_("result"), blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta(Case.Meta):
        abstract = True

    @case_transition(
        state,
        source=S.SUBMITTED,
        target=S.ACCEPTED,
        label=_("Accept"),
        permission="respond",
        payload=NoPayload,
    )
    def accept(self, ctx):
        """The responsible organisation takes the request on."""

    @case_transition(
        state,
        source=[S.SUBMITTED, S.ACCEPTED],
        target=S.REPLIED,
        label=_("Reply"),
        permission="respond",
        payload=ReplyPayload,
    )
    def reply(self, ctx):
        self.result = ctx.data["result"]
        self.replied_at = ctx.now

    @case_transition(
        state,
        source=S.SUBMITTED,
        target=S.RETURNED,
        label=_("Return for correction"),
        permission="respond",
        payload=ReasonPayload,
    )
    def return_for_correction(self, ctx):
        self.return_reason = ctx.data["reason"]

    @case_transition(
        state,
        source=[S.SUBMITTED, S.ACCEPTED],
        target=S.REFUSED,
        label=_("Refuse"),
        permission="respond",
        payload=ReasonPayload,
    )
    def refuse(self, ctx):
        self.closed_at = ctx.now

    @case_transition(
        state,
        source=S.RETURNED,
        target=S.SUBMITTED,
        label=_("Resubmit"),
        permission="originate",
        payload=NoPayload,
    )
    def resubmit(self, ctx):
        """The requester corrects the request (fields in the payload) and sends it again."""
        self.take_fields(ctx.data)

    @case_transition(
        state,
        source=S.REPLIED,
        target=S.CLOSED,
        label=_("Close"),
        permission="originate",
        payload=NoPayload,
    )
    def close(self, ctx):
        self.closed_at = ctx.now

    @case_transition(
        state,
        source=S.REPLIED,
        target=S.ACCEPTED,
        label=_("Reopen"),
        permission="originate",
        payload=ReasonPayload,
    )
    def reopen(self, ctx):
        self.return_reason = ctx.data["reason"]

    @case_transition(
        state,
        source=[S.SUBMITTED, S.ACCEPTED, S.RETURNED],
        target=S.WITHDRAWN,
        label=_("Withdraw"),
        permission="originate",
        payload=ReasonPayload,
    )
    def withdraw(self, ctx):
        self.closed_at = ctx.now
