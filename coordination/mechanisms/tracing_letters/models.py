"""M1 close-contact tracing letters (协查函): a region's liaison office or health commission sends
another region's liaison office a letter listing close contacts of a confirmed or suspected case
who went to or live in the addressee's area. The addressee accepts, assigns the persons to its
cities and replies person by person; a person who moved on to a third region is forwarded there
in a new letter linked to the first. Configuration of the request–reply pattern plus the letter's
persons, which are items (coordination/models/items.py) with their own follow-up state.

The persons' follow-up states take WHO Go.Data's per-contact follow-up (not its single-tenant
model): *under follow-up* (found, under observation), a test with its result, *lost to
follow-up* (not found), and transfer to another jurisdiction (moved on, forwarded).

Personal data: ID and phone numbers are encrypted at rest (coordination/pii), searched by keyed
hash and shown by their masks; free text (the case summary, notes, reasons, comments) is masked
before it is stored (coordination/pii/text.py), so the audit trail and the notices never hold a
full number. A closed letter's personal data is purged after the retention period.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition
from guardian.models import GroupObjectPermissionBase

from coordination.models import Organisation, Participant, Region
from coordination.models.items import CaseItem
from coordination.pii import crypto, idcard
from coordination.pii.fields import EncryptedCharField
from coordination.pii.text import mask_text
from coordination.workflow.patterns import NoPayload, ReasonPayload, ReplyPayload, RequestReplyCase
from coordination.workflow.transitions import case_transition

Role = Participant.Role
ID_PURPOSE = "tracing_letters.id_number"
PHONE_PURPOSE = "tracing_letters.phone"


def time_limit() -> timedelta:
    """A letter's default time limit: 24 hours (the catalogue's M1 default is for the first
    contact by telephone; the written reply to a letter has a day)."""
    return settings.TRACING_LETTER_TIME_LIMIT


class IndexCaseStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed case")
    SUSPECTED = "suspected", _("Suspected case")
    ASYMPTOMATIC = "asymptomatic", _("Asymptomatic infection")


class IdKind(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")
    PASSPORT = "passport", _("Passport")


class Relation(models.TextChoices):
    FAMILY = "family", _("Family member")
    COLLEAGUE = "colleague", _("Colleague")
    FELLOW_PASSENGER = "fellow_passenger", _("Fellow passenger")
    FRIEND = "friend", _("Friend")
    MEDICAL = "medical", _("Medical staff")
    OTHER = "other", _("Other")


class PersonState(models.TextChoices):
    PENDING = "pending", _("To be traced")
    ASSIGNED = "assigned", _("Assigned to a city")
    UNDER_OBSERVATION = "under_observation", _("Found, under medical observation")
    TESTED = "tested", _("Tested")
    NOT_FOUND = "not_found", _("Not found")
    MOVED_ON = "moved_on", _("Moved on to another region (forwarded)")


class Outcome(models.TextChoices):
    """What a reply about one person says (the person's state after it)."""

    UNDER_OBSERVATION = "under_observation", _("Found, under medical observation")
    TESTED = "tested", _("Tested")
    NOT_FOUND = "not_found", _("Not found")
    MOVED_ON = "moved_on", _("Moved on to another region")


class TestResult(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    PENDING = "pending", _("Result pending")


OPEN_PERSON_STATES = (PersonState.PENDING, PersonState.ASSIGNED)
ANSWERED_PERSON_STATES = (
    PersonState.UNDER_OBSERVATION,
    PersonState.TESTED,
    PersonState.NOT_FOUND,
    PersonState.MOVED_ON,
)


def _mask_free_text(ctx, *names: str) -> None:
    """The comment and the named payload texts, masked before the audit entry and the outbox
    event are written (ctx.record overrides the request's payload in the audit entry)."""
    ctx.comment = mask_text(ctx.comment)
    for name in names:
        if ctx.data.get(name):
            ctx.data[name] = mask_text(ctx.data[name])
            ctx.record[name] = ctx.data[name]


def _unanswered_persons(case, user):
    if case.persons.filter(state__in=OPEN_PERSON_STATES).exists():
        return _("Reply about every person before replying to the letter.")
    return None


class TracingLetter(RequestReplyCase):
    """A tracing letter (协查函). The pattern's transitions are declared again here only to mask
    the free text they carry; `assign_persons`, `reply_person` and `forward_persons` are the
    letter's own."""

    IndexCaseStatus = IndexCaseStatus

    sender_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("sending region"), db_index=False
    )
    addressee_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("addressed region"), db_index=False
    )
    index_case_status = models.CharField(_("index case"), max_length=16, choices=IndexCaseStatus.choices)
    index_case_summary = models.TextField(_("about the index case"))
    forwarded_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forwards",
        verbose_name=_("forwarded from"),
    )
    # Counters kept by the transitions, so lists show progress without counting persons.
    person_count = models.PositiveIntegerField(_("persons"), default=0)
    answered_count = models.PositiveIntegerField(_("persons answered"), default=0)
    personal_data_purged_at = models.DateTimeField(_("personal data purged"), null=True, blank=True)

    class Meta(RequestReplyCase.Meta):
        verbose_name = _("tracing letter")
        verbose_name_plural = _("tracing letters")
        permissions = [("unmask_tracingletter", _("Can see full ID and phone numbers of traced persons"))]
        indexes = [
            *RequestReplyCase.Meta.indexes,
            models.Index(fields=["sender_region"], name="trcletter_sender_region"),
            models.Index(fields=["addressee_region"], name="trcletter_addressee_region"),
            models.Index(fields=["state", "closed_at"], name="trcletter_retention"),
        ]

    @property
    def open_person_count(self) -> int:
        return self.person_count - self.answered_count

    def deadline_on_entering(self, state, now, *, working_day=None):
        # One day for the letter: accepting it does not start the clock again; a reopened
        # letter (its deadline cleared by the reply) has a day once more.
        if state not in self.timed_states:
            return None
        if state == self.S.ACCEPTED and self.due_at is not None:
            return self.due_at
        return now + (self.time_limit or time_limit())

    def counters_refresh(self) -> None:
        self.answered_count = self.persons.filter(state__in=ANSWERED_PERSON_STATES).count()

    # --- the pattern's transitions, their free text masked ------------------------------------

    @case_transition(
        "state", source=RequestReplyCase.S.SUBMITTED, target=RequestReplyCase.S.ACCEPTED, label=_("Accept"),
        permission="respond", payload=NoPayload,
    )  # fmt: skip
    def accept(self, ctx):
        """The addressed region takes the letter on."""
        _mask_free_text(ctx)

    @case_transition(
        "state", source=[RequestReplyCase.S.ACCEPTED], target=RequestReplyCase.S.REPLIED, label=_("Reply"),
        permission="respond", payload=ReplyPayload, guard=_unanswered_persons,
    )  # fmt: skip
    def reply(self, ctx):
        """The final reply, once every person is answered."""
        _mask_free_text(ctx, "result")
        self.result = ctx.data["result"]
        self.replied_at = ctx.now

    @case_transition(
        "state", source=RequestReplyCase.S.SUBMITTED, target=RequestReplyCase.S.RETURNED,
        label=_("Return for correction"), permission="respond", payload=ReasonPayload,
    )  # fmt: skip
    def return_for_correction(self, ctx):
        _mask_free_text(ctx, "reason")
        self.return_reason = ctx.data["reason"]

    @case_transition(
        "state", source=[RequestReplyCase.S.SUBMITTED, RequestReplyCase.S.ACCEPTED],
        target=RequestReplyCase.S.REFUSED, label=_("Refuse"), permission="respond", payload=ReasonPayload,
    )  # fmt: skip
    def refuse(self, ctx):
        _mask_free_text(ctx, "reason")
        self.return_reason = ctx.data["reason"]
        self.closed_at = ctx.now

    @case_transition(
        "state", source=RequestReplyCase.S.RETURNED, target=RequestReplyCase.S.SUBMITTED, label=_("Resubmit"),
        permission="originate", payload=NoPayload,
    )  # fmt: skip
    def resubmit(self, ctx):
        _mask_free_text(ctx)

    @case_transition(
        "state", source=RequestReplyCase.S.REPLIED, target=RequestReplyCase.S.CLOSED, label=_("Close"),
        permission="originate", payload=NoPayload,
    )  # fmt: skip
    def close(self, ctx):
        _mask_free_text(ctx)
        self.closed_at = ctx.now

    @case_transition(
        "state", source=RequestReplyCase.S.REPLIED, target=RequestReplyCase.S.ACCEPTED, label=_("Reopen"),
        permission="originate", payload=ReasonPayload,
    )  # fmt: skip
    def reopen(self, ctx):
        _mask_free_text(ctx, "reason")
        self.return_reason = ctx.data["reason"]

    @case_transition(
        "state", source=[RequestReplyCase.S.SUBMITTED, RequestReplyCase.S.ACCEPTED, RequestReplyCase.S.RETURNED],
        target=RequestReplyCase.S.WITHDRAWN, label=_("Withdraw"), permission="originate", payload=ReasonPayload,
    )  # fmt: skip
    def withdraw(self, ctx):
        _mask_free_text(ctx, "reason")
        self.closed_at = ctx.now

    # --- the letter's own: per-person work ----------------------------------------------------

    @case_transition(
        "state", source=RequestReplyCase.S.ACCEPTED, target=RequestReplyCase.S.ACCEPTED,
        label=_("Assign persons to a city"), permission="respond", payload=None,
    )  # fmt: skip
    def assign_persons(self, ctx):
        from coordination.mechanisms.tracing_letters.services import persons_assign

        _mask_free_text(ctx)
        persons_assign(self, ctx)

    @case_transition(
        "state", source=RequestReplyCase.S.ACCEPTED, target=RequestReplyCase.S.ACCEPTED,
        label=_("Reply about a person"), permission="respond", payload=None,
    )  # fmt: skip
    def reply_person(self, ctx):
        from coordination.mechanisms.tracing_letters.services import person_reply

        _mask_free_text(ctx, "note")
        person_reply(self, ctx)

    @case_transition(
        "state", source=RequestReplyCase.S.ACCEPTED, target=RequestReplyCase.S.ACCEPTED,
        label=_("Forward persons to another region"), permission="respond", payload=None,
    )  # fmt: skip
    def forward_persons(self, ctx):
        from coordination.mechanisms.tracing_letters.services import persons_forward

        _mask_free_text(ctx, "note")
        persons_forward(self, ctx)


class TracedPerson(CaseItem):
    """One person a letter asks to trace, with their follow-up state."""

    State = PersonState
    S = PersonState

    letter = models.ForeignKey(TracingLetter, on_delete=models.CASCADE, related_name="persons")
    number = models.PositiveIntegerField(_("no."))
    name = models.CharField(_("name"), max_length=64)
    id_kind = models.CharField(_("document"), max_length=16, choices=IdKind.choices, default=IdKind.RESIDENT_ID)
    id_number = EncryptedCharField(_("ID number"), purpose=ID_PURPOSE, blank=True)
    id_number_hash = models.CharField(_("ID number search hash"), max_length=64, blank=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=32, blank=True, editable=False)
    phone = EncryptedCharField(_("phone"), purpose=PHONE_PURPOSE, blank=True)
    phone_hash = models.CharField(_("phone search hash"), max_length=64, blank=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    address = models.CharField(_("last known address"), max_length=200, blank=True)
    city = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("city"), db_index=False)
    relation = models.CharField(_("relation to the case"), max_length=24, choices=Relation.choices)
    exposure_date = models.DateField(_("exposure date"))
    exposure_place = models.CharField(_("exposure place"), max_length=200)
    state = FSMField(_("follow-up"), max_length=24, choices=PersonState.choices, default=S.PENDING, protected=True)
    assigned_city = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("assigned to"), db_index=False,
    )  # fmt: skip
    test_result = models.CharField(_("test result"), max_length=16, choices=TestResult.choices, blank=True)
    tested_on = models.DateField(_("tested on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    replied_by = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    moved_to = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("moved on to"), db_index=False,
    )  # fmt: skip
    forwarded_in = models.ForeignKey(
        TracingLetter, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("forwarded in"), db_index=False,
    )  # fmt: skip
    forwarded_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["letter_id", "number"]
        verbose_name = _("traced person")
        verbose_name_plural = _("traced persons")
        constraints = [
            models.UniqueConstraint(fields=["letter", "number"], name="trcperson_number"),
            # The same document twice in one letter is one person (purged rows have no hash).
            models.UniqueConstraint(
                fields=["letter", "id_number_hash"], condition=~models.Q(id_number_hash=""), name="trcperson_once"
            ),
        ]
        indexes = [
            models.Index(fields=["id_number_hash"], name="trcperson_id_hash"),
            models.Index(fields=["phone_hash"], name="trcperson_phone_hash"),
        ]

    def __str__(self):
        return f"{self.number} {self.name_masked}"

    def save(self, *args, **kwargs):
        if self.id_number or self.phone:
            self.refresh_search_columns()
        super().save(*args, **kwargs)

    def refresh_search_columns(self) -> None:
        """The search hashes and masks of the numbers (bulk inserts call this themselves)."""
        self.id_number_hash = crypto.search_hash(self.id_number, purpose=ID_PURPOSE) if self.id_number else ""
        self.id_number_masked = idcard.mask(self.id_number) if self.id_number else ""
        self.phone_hash = crypto.search_hash(self.phone, purpose=PHONE_PURPOSE) if self.phone else ""
        self.phone_masked = idcard.mask_phone(self.phone) if self.phone else ""

    @property
    def name_masked(self) -> str:
        return idcard.mask_name(self.name or "")

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_PERSON_STATES

    @transition(state, source=[S.PENDING, S.ASSIGNED], target=S.ASSIGNED)
    def assign(self, city):
        self.assigned_city = city

    @transition(
        state,
        source=[S.PENDING, S.ASSIGNED, S.UNDER_OBSERVATION, S.TESTED, S.NOT_FOUND],
        target=RETURN_VALUE(*ANSWERED_PERSON_STATES),
    )
    def record_reply(self, outcome: str, *, by, now):
        """A reply about the person; a later one (a test result after observation) replaces it.
        A person forwarded to another region is no longer this letter's to answer."""
        self.replied_at = now
        self.replied_by = by
        return outcome


class PersonalNumberUnmasking(models.Model):
    """Each unmasking of a letter's personal numbers, beyond the platform's access log: the
    request it came in (IP address, request id) and which persons it showed. Append-only."""

    letter = models.ForeignKey(TracingLetter, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, related_name="+")
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64)
    reason = models.CharField(_("reason"), max_length=500)
    persons = models.JSONField(_("persons"), default=list)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("unmasking of personal numbers")
        verbose_name_plural = _("unmaskings of personal numbers")

    def __str__(self):
        return f"{self.at} {self.user_id} {self.letter_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("the unmasking log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("the unmasking log is append-only")


class TracingLetterGroupObjectPermission(GroupObjectPermissionBase):
    """guardian's direct-foreign-key permission table for tracing letters."""

    content_object = models.ForeignKey(TracingLetter, on_delete=models.CASCADE)
