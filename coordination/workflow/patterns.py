"""The workflow patterns of shared/DESIGN.md §2 as abstract case models.

A pattern declares its states and transitions once (django-fsm-2); each transition names the
object permission it needs (`requires(...)`), its conditions, its payload and its effects.
A mechanism subclasses a pattern and adds configuration (catalogue code, reference code, its
own fields, payload serializers for its transitions); it never writes state handling.
*Request–offers–allocation* and *credential* arrive here with the supply and credential
mechanisms.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition
from rest_framework import serializers

from coordination.models import Case, Organisation, Participant
from coordination.workflow.access import membership_of, requires

Role = Participant.Role
ReceiptState = Participant.ReceiptState


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
        self.take_fields(ctx.data)

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


# --- request–review ---------------------------------------------------------------------------


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

    @transition(
        state,
        source=S.SUBMITTED,
        target=S.APPROVED,
        permission=requires("respond"),
        custom={"label": _("Approve"), "payload": NoPayload},
    )
    def approve(self, ctx):
        self.take_fields(ctx.data)
        self.decided_at = ctx.now
        self.decision_recorded(ctx, self.S.APPROVED)

    @transition(
        state,
        source=S.SUBMITTED,
        target=S.RETURNED,
        permission=requires("respond"),
        custom={"label": _("Return for correction"), "payload": ReasonPayload},
    )
    def return_for_correction(self, ctx):
        self.take_fields(ctx.data)

    @transition(
        state,
        source=S.SUBMITTED,
        target=S.REJECTED,
        permission=requires("respond"),
        custom={"label": _("Reject"), "payload": ReasonPayload},
    )
    def reject(self, ctx):
        self.take_fields(ctx.data)
        self.decided_at = ctx.now
        self.closed_at = ctx.now
        self.decision_recorded(ctx, self.S.REJECTED)

    @transition(
        state,
        source=S.RETURNED,
        target=S.SUBMITTED,
        permission=requires("originate"),
        custom={"label": _("Resubmit"), "payload": NoPayload},
    )
    def resubmit(self, ctx):
        """The requester corrects the fields (the payload) and sends the case again; what
        changed is kept in the audit entry (`record_correction`)."""
        ctx.record = self.record_correction(ctx.data)
        self.take_fields(ctx.data)
        self.resubmissions += 1
        self.fields_to_correct = []

    @transition(
        state,
        source=[S.SUBMITTED, S.RETURNED],
        target=S.WITHDRAWN,
        permission=requires("originate"),
        custom={"label": _("Withdraw"), "payload": ReasonPayload},
    )
    def withdraw(self, ctx):
        self.closed_at = ctx.now

    def decision_recorded(self, ctx, outcome: str) -> None:
        """Before the state becomes `outcome`: a mechanism's fields derived from
        the decision (e.g. the code its receipt carries)."""

    def record_correction(self, data: dict) -> dict:
        """What the audit entry keeps of a correction (it overrides the request's payload)."""
        return {"corrected": sorted(data)}


# --- notice with receipts -----------------------------------------------------------------------


def receipt_of(case, user) -> Participant | None:
    """The addressee receipt of the user's organisation on the case, if it has one."""
    membership = membership_of(user)
    if membership is None:
        return None
    return (
        Participant.objects.filter(
            content_type=ContentType.objects.get_for_model(case),
            object_id=case.pk,
            organisation_id=membership.organisation_id,
            role=Role.ADDRESSEE,
        )
        .select_related("organisation")
        .first()
    )


def receipts_of(case):
    return Participant.objects.filter(
        content_type=ContentType.objects.get_for_model(case), object_id=case.pk, role=Role.ADDRESSEE
    ).select_related("organisation")


def _receipt_open(case, user):
    receipt = receipt_of(case, user)
    if receipt is None or receipt.receipt_state in (ReceiptState.ACKNOWLEDGED, ReceiptState.OBJECTED):
        return _("Your organisation has already answered this notice.")
    return None


def _objection_pending(case, user):
    if not receipts_of(case).filter(receipt_state=ReceiptState.OBJECTED).exists():
        return _("No addressee has objected.")
    return None


class AnswerObjectionPayload(serializers.Serializer):
    organisation = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    answer = serializers.CharField(label=_("Answer"), max_length=4000)

    def validate_organisation(self, organisation):
        receipt = receipts_of(self.context["case"]).filter(organisation=organisation).first()
        if receipt is None or receipt.receipt_state != ReceiptState.OBJECTED:
            raise serializers.ValidationError(_("This organisation has no objection to answer."))
        return organisation


# An addressee's answer concerns the issuer and whoever watches (the Office after escalation).
RECEIPT_AUDIENCE = (Role.ORIGINATOR, Role.OBSERVER)


class NoticeCase(Case):
    """*Notice with receipts*: one sender, many addressees; each addressee's receipt moves
    received → read → acknowledged, or objected with a reason, before a deadline. The notice
    closes when every addressee has acknowledged."""

    class State(models.TextChoices):
        ISSUED = "issued", _("Issued")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SUPERSEDED = "superseded", _("Superseded")

    S = State
    timed_states = {S.ISSUED: (Role.ADDRESSEE,)}
    # Fields the originator may change by amending (a mechanism lists its own).
    amendable_fields: tuple[str, ...] = ("title",)
    # The date field after which an issued notice expires (closes), if the mechanism has one.
    expires_after_field: str | None = None

    state = FSMField(_("state"), max_length=32, choices=State.choices, default=S.ISSUED, protected=True)
    edition = models.PositiveSmallIntegerField(_("edition"), default=1)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta(Case.Meta):
        abstract = True

    def responsible_participants(self):
        return super().responsible_participants().exclude(receipt_state=ReceiptState.ACKNOWLEDGED)

    @transition(
        state,
        source=S.ISSUED,
        target=RETURN_VALUE(S.ISSUED, S.CLOSED),
        permission=requires("respond"),
        custom={"label": _("Acknowledge"), "payload": NoPayload, "guard": _receipt_open, "notify": RECEIPT_AUDIENCE},
    )
    def acknowledge(self, ctx):
        receipt = receipt_of(self, ctx.by)
        receipt.receipt_state = ReceiptState.ACKNOWLEDGED
        receipt.acknowledged_at = ctx.now
        receipt.read_at = receipt.read_at or ctx.now
        receipt.save(update_fields=["receipt_state", "acknowledged_at", "read_at"])
        if receipts_of(self).exclude(receipt_state=ReceiptState.ACKNOWLEDGED).exists():
            return self.S.ISSUED
        self.closed_at = ctx.now
        return self.S.CLOSED

    @transition(
        state,
        source=S.ISSUED,
        target=S.ISSUED,
        permission=requires("respond"),
        custom={
            "label": _("Raise objection"),
            "payload": ReasonPayload,
            "guard": _receipt_open,
            "notify": RECEIPT_AUDIENCE,
        },
    )
    def raise_objection(self, ctx):
        receipt = receipt_of(self, ctx.by)
        receipt.receipt_state = ReceiptState.OBJECTED
        receipt.objection = ctx.data["reason"]
        receipt.read_at = receipt.read_at or ctx.now
        receipt.save(update_fields=["receipt_state", "objection", "read_at"])

    @transition(
        state,
        source=S.ISSUED,
        target=S.ISSUED,
        permission=requires("originate"),
        custom={"label": _("Answer objection"), "payload": AnswerObjectionPayload, "guard": _objection_pending},
    )
    def answer_objection(self, ctx):
        """The originator answers; the addressee then acknowledges (or objects again)."""
        receipt = receipts_of(self).get(organisation=ctx.data["organisation"])
        ctx.record = {"organisation": receipt.organisation.code, "objection": receipt.objection}
        receipt.receipt_state = ReceiptState.READ
        receipt.save(update_fields=["receipt_state"])

    @transition(
        state,
        source=S.ISSUED,
        target=S.ISSUED,
        permission=requires("originate"),
        custom={"label": _("Amend"), "payload": NoPayload},
    )
    def amend(self, ctx):
        """A new edition: the changed fields are kept as a diff in the audit trail and every
        addressee's receipt starts again."""
        changes = {}
        for name, value in ctx.data.items():
            if name in self.amendable_fields and getattr(self, name) != value:
                changes[name] = {"from": _jsonable(getattr(self, name)), "to": _jsonable(value)}
                setattr(self, name, value)
        self.edition += 1
        ctx.record = {"edition": self.edition, "changes": changes}
        receipts_of(self).update(receipt_state=ReceiptState.RECEIVED, read_at=None, acknowledged_at=None, objection="")

    @transition(
        state,
        source=S.ISSUED,
        target=S.WITHDRAWN,
        permission=requires("originate"),
        custom={"label": _("Withdraw"), "payload": ReasonPayload},
    )
    def withdraw(self, ctx):
        self.closed_at = ctx.now

    @transition(state, source=S.ISSUED, target=S.SUPERSEDED, custom={"label": _("Supersede"), "system": True})
    def supersede(self, ctx):
        """Fired by the system when the issuer issues a notice that replaces this one."""
        self.closed_at = ctx.now

    @transition(state, source=S.ISSUED, target=S.CLOSED, custom={"label": _("Expire"), "system": True})
    def expire(self, ctx):
        """Fired by the system (Celery beat) once the notice's validity has ended."""
        self.closed_at = ctx.now


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def receipt_mark_read(case, user) -> bool:
    """A member of an addressee organisation opened the notice: its receipt becomes read
    (once). Recorded in the audit trail and announced, without a new case version."""
    from coordination import events
    from coordination.workflow.engine import TransitionContext, audit_append, case_event_payload, outbox_emit

    receipt = receipt_of(case, user)
    if receipt is None or receipt.receipt_state != ReceiptState.RECEIVED:
        return False
    with transaction.atomic():
        case = type(case).objects.select_for_update().get(pk=case.pk)
        updated = (
            receipts_of(case)
            .filter(pk=receipt.pk, receipt_state=ReceiptState.RECEIVED)
            .update(receipt_state=ReceiptState.READ, read_at=timezone.now())
        )
        if not updated:
            return False
        ctx = TransitionContext(by=user, organisation=receipt.organisation)
        audit_append(case, ctx=ctx, transition="read", from_state=case.state, to_state=case.state)
        outbox_emit(
            events.RECEIPT_READ,
            case=case,
            payload=case_event_payload(case, organisation=receipt.organisation_id, actor=user.pk),
        )
    return True
