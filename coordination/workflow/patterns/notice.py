"""*Notice with receipts*: one sender, many addressees; each addressee's receipt (an item,
coordination/models/items.py) moves received → read → acknowledged, or objected with a reason,
before a deadline. The notice closes when every addressee has acknowledged."""

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField
from rest_framework import serializers

from coordination.models import Case, Organisation, Participant
from coordination.models.catalogue import Pattern
from coordination.models.items import Receipt
from coordination.workflow.access import membership_of
from coordination.workflow.patterns.payloads import NoPayload, ReasonPayload
from coordination.workflow.transitions import case_transition

Role = Participant.Role
ReceiptState = Receipt.State


def receipts_of(case):
    return Receipt.objects.filter(
        content_type=ContentType.objects.get_for_model(case), object_id=case.pk
    ).select_related("organisation")


def receipt_of(case, user) -> Receipt | None:
    """The receipt of the user's organisation on the case, if it is an addressee."""
    membership = membership_of(user)
    if membership is None:
        return None
    return receipts_of(case).filter(organisation_id=membership.organisation_id).first()


def receipts_for_addressees(model, cases_and_organisations) -> list[Receipt]:
    """Unsaved receipts, one per (case, addressee organisation) (case creation inserts them)."""
    content_type = ContentType.objects.get_for_model(model)
    return [
        Receipt(content_type=content_type, object_id=case.pk, organisation_id=organisation.pk)
        for case, organisation in cases_and_organisations
    ]


def unanswered_receipts(model):
    """An `Exists`-ready queryset of a model's receipts not yet answered, per case."""
    return Receipt.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk")
    ).exclude(state__in=Receipt.ANSWERED)


def _receipt_open(case, user):
    receipt = receipt_of(case, user)
    if receipt is None or receipt.is_answered:
        return _("Your organisation has already answered this notice.")
    return None


def _objection_pending(case, user):
    if not receipts_of(case).filter(state=ReceiptState.OBJECTED).exists():
        return _("No addressee has objected.")
    return None


class AnswerObjectionPayload(serializers.Serializer):
    organisation = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    answer = serializers.CharField(label=_("Answer"), max_length=4000)

    def validate_organisation(self, organisation):
        receipt = receipts_of(self.context["case"]).filter(organisation=organisation).first()
        if receipt is None or receipt.state != ReceiptState.OBJECTED:
            raise serializers.ValidationError(_("This organisation has no objection to answer."))
        return organisation


# An addressee's answer concerns the issuer and whoever watches (the Office after escalation).
RECEIPT_AUDIENCE = (Role.ORIGINATOR, Role.OBSERVER)


def _save_item(receipt: Receipt, *fields: str) -> None:
    receipt.version += 1
    receipt.save(update_fields=["state", "version", *fields])


class NoticeCase(Case):
    class State(models.TextChoices):
        ISSUED = "issued", _("Issued")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SUPERSEDED = "superseded", _("Superseded")

    S = State
    pattern = Pattern.NOTICE_WITH_RECEIPTS
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

    @classmethod
    def items_on_creation(cls, cases_and_participants) -> list:
        """Every addressee of a new notice gets a receipt."""
        return receipts_for_addressees(
            cls,
            [
                (case, organisation)
                for case, memberships in cases_and_participants
                for organisation, role in memberships
                if role == Role.ADDRESSEE
            ],
        )

    def responsible_participants(self):
        answered = Receipt.objects.filter(
            content_type=ContentType.objects.get_for_model(self),
            object_id=self.pk,
            organisation_id=OuterRef("organisation_id"),
            state=ReceiptState.ACKNOWLEDGED,
        )
        return super().responsible_participants().exclude(Exists(answered))

    @case_transition(
        state,
        source=S.ISSUED,
        target=RETURN_VALUE(S.ISSUED, S.CLOSED),
        label=_("Acknowledge"),
        permission="respond",
        payload=NoPayload,
        guard=_receipt_open,
        notify=RECEIPT_AUDIENCE,
        item=receipt_of,
    )
    def acknowledge(self, ctx):
        ctx.item.acknowledge(ctx.now)
        _save_item(ctx.item, "acknowledged_at", "read_at")
        if receipts_of(self).exclude(state=ReceiptState.ACKNOWLEDGED).exists():
            return self.S.ISSUED
        self.closed_at = ctx.now
        return self.S.CLOSED

    @case_transition(
        state,
        source=S.ISSUED,
        target=S.ISSUED,
        label=_("Raise objection"),
        permission="respond",
        payload=ReasonPayload,
        guard=_receipt_open,
        notify=RECEIPT_AUDIENCE,
        item=receipt_of,
    )
    def raise_objection(self, ctx):
        ctx.item.raise_objection(ctx.now, ctx.data["reason"])
        _save_item(ctx.item, "objection", "read_at")

    @case_transition(
        state,
        source=S.ISSUED,
        target=S.ISSUED,
        label=_("Answer objection"),
        permission="originate",
        payload=AnswerObjectionPayload,
        guard=_objection_pending,
    )
    def answer_objection(self, ctx):
        """The originator answers; the addressee then acknowledges (or objects again)."""
        receipt = receipts_of(self).select_for_update(of=("self",)).get(organisation=ctx.data["organisation"])
        ctx.record = {"organisation": receipt.organisation.code, "objection": receipt.objection}
        receipt.answer_objection()
        _save_item(receipt)

    @case_transition(
        state, source=S.ISSUED, target=S.ISSUED, label=_("Amend"), permission="originate", payload=NoPayload
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
        receipts_of(self).update(
            state=ReceiptState.RECEIVED,
            read_at=None,
            acknowledged_at=None,
            objection="",
            version=models.F("version") + 1,
        )

    @case_transition(
        state, source=S.ISSUED, target=S.WITHDRAWN, label=_("Withdraw"), permission="originate", payload=ReasonPayload
    )
    def withdraw(self, ctx):
        self.closed_at = ctx.now

    @case_transition(state, source=S.ISSUED, target=S.SUPERSEDED, label=_("Supersede"), system=True)
    def supersede(self, ctx):
        """Fired by the system when the issuer issues a notice that replaces this one."""
        self.closed_at = ctx.now

    @case_transition(state, source=S.ISSUED, target=S.CLOSED, label=_("Expire"), system=True)
    def expire(self, ctx):
        """Fired by the system (Celery beat) once the notice's validity has ended."""
        self.closed_at = ctx.now

    def on_open(self, user, *, read: bool) -> bool:
        """Opening the notice as an addressee, with `read` (a person's page, or an explicit
        `POST …/read/`), records its read receipt; an integrating system's GET does not."""
        return read and receipt_mark_read(self, user)


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def receipt_mark_read(case, user) -> bool:
    """A member of an addressee organisation opened the notice: its receipt becomes read
    (once). Recorded in the audit trail and announced, without a new case version."""
    from coordination import events
    from coordination.workflow.engine import TransitionContext, audit_append, case_event_payload, outbox_emit

    receipt = receipt_of(case, user)
    if receipt is None or receipt.state != ReceiptState.RECEIVED:
        return False
    with transaction.atomic():
        case = type(case).objects.select_for_update().get(pk=case.pk)
        updated = (
            receipts_of(case)
            .filter(pk=receipt.pk, state=ReceiptState.RECEIVED)
            .update(state=ReceiptState.READ, read_at=timezone.now(), version=models.F("version") + 1)
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
