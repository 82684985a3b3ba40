"""*Request–offers–allocation*: one request, many offers; the requester allocates, the offerers
dispatch and the requester confirms receipt; quantities never go negative.

The pattern owns the states and who may move them; the mechanism's model owns its lines and
quantities, through the hooks below (each runs inside the transition, on the locked case, and
raises the platform's errors to refuse). The moves it decides from them:

    open ──pledge──▶ open                  organisations not on the case join by pledging
    open ──allocate──▶ allocated           unaccepted pledges are released
    allocated ──seek_pledges──▶ open       more is needed than was allocated
    open | allocated ──withdraw_pledge──▶ open | allocated | completed
                                           a pledge, or an allocation's undispatched rest, given back
    open | allocated ──dispatch, record_hop──▶ (stays)
    open | allocated ──confirm_receipt──▶ (stays) | completed
    open | allocated ──reconcile_shortfall──▶ open (pledged anew) | (stays) | completed
    allocated ──close──▶ completed         everything allocated is settled; the rest not needed
    open | allocated ──cancel──▶ cancelled  every reservation released

What was allocated is fulfilled in either open state: a request reopened to pledges for a
shortfall keeps its lorries on the road. It completes by itself once nothing is owed and
nothing more is needed.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField

from coordination.models import Case, Participant
from coordination.models.catalogue import Pattern
from coordination.workflow.patterns.payloads import ReasonPayload
from coordination.workflow.transitions import case_transition

Role = Participant.Role


def _may_pledge(case, membership):
    """Who may pledge: the model's `pledge_refusal` (a newcomer joins as a responder)."""
    return case.pledge_refusal(membership)


class OffersCase(Case):
    class State(models.TextChoices):
        OPEN = "open", _("Open for pledges")
        ALLOCATED = "allocated", _("Being fulfilled")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    S = State
    pattern = Pattern.REQUEST_OFFERS_ALLOCATION
    OPEN_STATES = (S.OPEN, S.ALLOCATED)
    # Open: the requester answers for a request nobody has covered (its escalation reaches its
    # leaders and the Office, who find pledgers); allocated: the pledgers owe their dispatches.
    timed_states = {S.OPEN: (Role.ORIGINATOR,), S.ALLOCATED: (Role.RESPONDER,)}

    state = FSMField(_("state"), max_length=32, choices=State.choices, default=S.OPEN, protected=True)
    allocated_at = models.DateTimeField(_("allocated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta(Case.Meta):
        abstract = True

    # --- what the mechanism decides ---------------------------------------------------------

    def pledge_refusal(self, membership) -> str | None:
        """Why this membership may not pledge to the request (None: it may). An empty string
        refuses without a reason (the newcomer is told 404)."""
        raise NotImplementedError

    def pledge_made(self, ctx) -> None:
        raise NotImplementedError

    def pledge_withdrawn(self, ctx) -> None:
        raise NotImplementedError

    def allocation_made(self, ctx) -> None:
        raise NotImplementedError

    def dispatch_made(self, ctx) -> None:
        raise NotImplementedError

    def hop_recorded(self, ctx) -> None:
        raise NotImplementedError

    def receipt_confirmed(self, ctx) -> None:
        raise NotImplementedError

    def shortfall_reconciled(self, ctx) -> None:
        raise NotImplementedError

    def cancelled(self, ctx) -> None:
        """Release everything the request holds."""
        raise NotImplementedError

    def outstanding(self) -> bool:
        """Whether the request still needs more than is allocated to it."""
        raise NotImplementedError

    def settled(self) -> bool:
        """Whether everything allocated has been received or reconciled."""
        raise NotImplementedError

    # --- the moves ---------------------------------------------------------------------------

    def _after_fulfilment(self, ctx):
        """Where a fulfilment step leaves the request: completed once nothing is owed and
        nothing more needed; open to pledges again when the step itself made a need anew (its
        hook says so in the audit record: `ctx.record["reopens"]`); else where it was."""
        if self.outstanding():
            return self.S.OPEN if ctx.record.get("reopens") else self.state
        if self.settled():
            self.closed_at = ctx.now
            return self.S.COMPLETED
        return self.state

    @case_transition(
        state,
        source=S.OPEN,
        target=S.OPEN,
        label=_("Pledge"),
        permission="respond",
        notify=(Role.ORIGINATOR, Role.OBSERVER),
        joins=Role.RESPONDER,
        join_refusal=_may_pledge,
    )
    def pledge(self, ctx):
        self.pledge_made(ctx)

    @case_transition(
        state,
        source=OPEN_STATES,
        target=RETURN_VALUE(S.OPEN, S.ALLOCATED, S.COMPLETED),
        label=_("Withdraw pledge"),
        permission="respond",
        notify=(Role.ORIGINATOR, Role.OBSERVER),
    )
    def withdraw_pledge(self, ctx):
        self.pledge_withdrawn(ctx)
        return self._after_fulfilment(ctx)

    @case_transition(
        state,
        source=S.OPEN,
        target=RETURN_VALUE(S.ALLOCATED, S.COMPLETED),
        label=_("Allocate"),
        permission="originate",
        notify=(Role.RESPONDER, Role.OBSERVER),
    )
    def allocate(self, ctx):
        self.allocation_made(ctx)
        self.allocated_at = ctx.now
        return self.S.COMPLETED if self._after_fulfilment(ctx) == self.S.COMPLETED else self.S.ALLOCATED

    @case_transition(
        state,
        source=S.ALLOCATED,
        target=S.OPEN,
        label=_("Ask for more pledges"),
        permission="originate",
        payload=ReasonPayload,
        guard=lambda case, user: None if case.outstanding() else _("Everything requested is allocated."),
    )
    def seek_pledges(self, ctx):
        """Part of the request is still uncovered after allocation: open it to pledges again."""

    @case_transition(
        state,
        source=OPEN_STATES,
        target=None,  # the state stays
        label=_("Dispatch"),
        permission="respond",
        notify=(Role.ORIGINATOR, Role.OBSERVER),
    )
    def dispatch(self, ctx):
        self.dispatch_made(ctx)

    @case_transition(
        state,
        source=[*OPEN_STATES, S.COMPLETED, S.CANCELLED],
        target=None,  # the state stays
        label=_("Record a hop"),
        permission="respond",
        notify=(Role.ORIGINATOR,),
    )
    def record_hop(self, ctx):
        """Where a shipment is: a checkpoint passed, a transfer, arrival (also after the
        request has closed: a lorry on the road is still on the road)."""
        self.hop_recorded(ctx)

    @case_transition(
        state,
        source=OPEN_STATES,
        target=RETURN_VALUE(S.OPEN, S.ALLOCATED, S.COMPLETED),
        label=_("Confirm receipt"),
        permission="originate",
        notify=(Role.RESPONDER, Role.OBSERVER),
    )
    def confirm_receipt(self, ctx):
        self.receipt_confirmed(ctx)
        return self._after_fulfilment(ctx)

    @case_transition(
        state,
        source=OPEN_STATES,
        target=RETURN_VALUE(S.OPEN, S.ALLOCATED, S.COMPLETED),
        label=_("Reconcile shortfall"),
        permission="originate",
        notify=(Role.RESPONDER, Role.OBSERVER),
    )
    def reconcile_shortfall(self, ctx):
        """A shortfall at receipt settled: sent again, written off, or pledged anew (the line
        needs it again, so the request reopens to pledges)."""
        self.shortfall_reconciled(ctx)
        return self._after_fulfilment(ctx)

    @case_transition(
        state,
        source=S.ALLOCATED,
        target=S.COMPLETED,
        label=_("Close"),
        permission="originate",
        payload=ReasonPayload,
        guard=lambda case, user: None if case.settled() else _("Some allocated goods are still owed or unreconciled."),
        notify=(Role.RESPONDER, Role.OBSERVER),
    )
    def close(self, ctx):
        """Everything allocated has arrived or is reconciled; what was not covered is no
        longer needed."""
        self.closed_at = ctx.now

    @case_transition(
        state,
        source=OPEN_STATES,
        target=S.CANCELLED,
        label=_("Cancel"),
        permission="originate",
        payload=ReasonPayload,
        notify=(Role.RESPONDER, Role.OBSERVER),
    )
    def cancel(self, ctx):
        self.cancelled(ctx)
        self.cancel_reason = ctx.data["reason"]
        self.closed_at = ctx.now
