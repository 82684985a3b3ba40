"""The workflow patterns of shared/DESIGN.md §2 as abstract case models.

A pattern declares its states and transitions once (django-fsm-2); each transition names the
object permission it needs (`requires(...)`), its conditions, its payload and its effects.
A mechanism subclasses a pattern and adds configuration (catalogue code, reference code, its
own fields, payload serializers for its transitions); it never writes state handling.
*Request–offers–allocation* and *credential* arrive here with the supply and credential
mechanisms.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from rest_framework import serializers

from coordination.models import Case, Participant
from coordination.workflow.access import requires

Role = Participant.Role


class ReasonPayload(serializers.Serializer):
    reason = serializers.CharField(label=_("Reason"), max_length=2000)


class ReplyPayload(serializers.Serializer):
    result = serializers.CharField(label=_("Result"), max_length=10000)


class NoPayload(serializers.Serializer):
    pass


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
    timed_states = {S.SUBMITTED: (Role.RESPONDER,), S.ACCEPTED: (Role.RESPONDER,)}

    state = FSMField(_("state"), max_length=32, choices=State.choices, default=S.SUBMITTED, protected=True)
    result = models.TextField(_("result"), blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta(Case.Meta):
        abstract = True

    @transition(
        state,
        source=S.SUBMITTED,
        target=S.ACCEPTED,
        permission=requires("respond"),
        custom={"label": _("Accept"), "payload": NoPayload},
    )
    def accept(self, ctx):
        """The responsible organisation takes the request on."""

    @transition(
        state,
        source=[S.SUBMITTED, S.ACCEPTED],
        target=S.REPLIED,
        permission=requires("respond"),
        custom={"label": _("Reply"), "payload": ReplyPayload},
    )
    def reply(self, ctx):
        self.result = ctx.data["result"]
        self.replied_at = ctx.now

    @transition(
        state,
        source=S.SUBMITTED,
        target=S.RETURNED,
        permission=requires("respond"),
        custom={"label": _("Return for correction"), "payload": ReasonPayload},
    )
    def return_for_correction(self, ctx):
        self.return_reason = ctx.data["reason"]

    @transition(
        state,
        source=[S.SUBMITTED, S.ACCEPTED],
        target=S.REFUSED,
        permission=requires("respond"),
        custom={"label": _("Refuse"), "payload": ReasonPayload},
    )
    def refuse(self, ctx):
        self.closed_at = ctx.now

    @transition(
        state,
        source=S.RETURNED,
        target=S.SUBMITTED,
        permission=requires("originate"),
        custom={"label": _("Resubmit"), "payload": NoPayload},
    )
    def resubmit(self, ctx):
        """The requester corrects the request (fields in the payload) and sends it again."""
        for name, value in ctx.data.items():
            setattr(self, name, value)

    @transition(
        state,
        source=S.REPLIED,
        target=S.CLOSED,
        permission=requires("originate"),
        custom={"label": _("Close"), "payload": NoPayload},
    )
    def close(self, ctx):
        self.closed_at = ctx.now

    @transition(
        state,
        source=S.REPLIED,
        target=S.ACCEPTED,
        permission=requires("originate"),
        custom={"label": _("Reopen"), "payload": ReasonPayload},
    )
    def reopen(self, ctx):
        self.return_reason = ctx.data["reason"]

    @transition(
        state,
        source=[S.SUBMITTED, S.ACCEPTED, S.RETURNED],
        target=S.WITHDRAWN,
        permission=requires("originate"),
        custom={"label": _("Withdraw"), "payload": ReasonPayload},
    )
    def withdraw(self, ctx):
        self.closed_at = ctx.now
