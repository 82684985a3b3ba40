"""The case: one item of cross-regional work, the shared abstract base of every mechanism.

A mechanism model subclasses a pattern (coordination/workflow/patterns.py), which subclasses
`Case`; it names its mechanism and reference code and adds its own fields. States and
transitions are declared with django-fsm-2 on the pattern; the state field is protected, so
nothing but a declared transition fired by the engine can change it.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMModelMixin

from coordination.models.catalogue import Mechanism
from coordination.models.organisations import Organisation

# Object permissions a case model carries; participation grants them by role
# (coordination/workflow/access.py).
CASE_PERMISSIONS = ("add", "change", "delete", "view", "originate", "respond", "review")


class ReferenceSequence(models.Model):
    """The last number handed out per region, case kind and year: gap-free because it is
    incremented under a row lock in the transaction that creates the case."""

    region_abbr = models.CharField(max_length=4)
    code = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_abbr", "code", "year"], name="unique_reference_sequence")
        ]

    def __str__(self):
        return f"{self.region_abbr}-{self.code}-{self.year}: {self.last}"

    @classmethod
    def allocate(cls, *, region_abbr: str, code: str, year: int, count: int = 1) -> list[str]:
        """`count` consecutive reference numbers, gap-free: the sequence row stays locked until
        the transaction that creates their cases ends (a rollback returns the numbers with it)."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("references are allocated inside the transaction that creates the case")
        sequence, _created = cls.objects.select_for_update().get_or_create(
            region_abbr=region_abbr, code=code, year=year
        )
        first = sequence.last + 1
        sequence.last += count
        sequence.save(update_fields=["last"])
        return [f"{region_abbr}-{code}-{year}-{number:06d}" for number in range(first, sequence.last + 1)]


class Case(FSMModelMixin, models.Model):
    # Set by each pattern: its catalogue pattern (coordination.models.catalogue.Pattern).
    pattern: str = ""
    # state → the participant roles responsible for moving it on before its deadline
    timed_states: dict[str, tuple[str, ...]] = {}
    # The mechanism's declaration (coordination/workflow/mechanisms.py), set when it registers.
    declaration = None

    reference = models.CharField(_("reference number"), max_length=32, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    mechanism = models.ForeignKey(
        Mechanism, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("mechanism")
    )
    originator = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("originating organisation")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Deadlines: a per-case time limit overrides the catalogue's default.
    time_limit = models.DurationField(_("time limit"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    escalate_at = models.DateTimeField(_("escalates at"), null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    participants = GenericRelation("coordination.Participant")
    audit_entries = GenericRelation("coordination.AuditEntry")

    class Meta:
        abstract = True
        default_permissions = CASE_PERMISSIONS
        ordering = ["-created_at"]
        # Lists are newest first, optionally by state: at a million cases a first page reads
        # these indexes instead of sorting the table (bench/access_lists.py: ~100× faster).
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="%(class)s_created"),
            models.Index(fields=["state", "-created_at", "-id"], name="%(class)s_st_created"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def take_fields(self, data: dict) -> None:
        """Set the case's fields from a transition's validated payload (its serializer names
        only fields the transition may change)."""
        for name, value in data.items():
            setattr(self, name, value)

    @classmethod
    def items_on_creation(cls, cases_and_participants) -> list:
        """Unsaved items a pattern gives every new case, from (case, [(organisation, role)])
        pairs (notices: a receipt per addressee); inserted with the cases."""
        return []

    def on_open(self, user, *, read: bool) -> bool:
        """What opening the case does in its pattern (coordination/workflow/opening.py);
        `read` when a person reads it (a page) rather than a system fetching it. True when it
        changed something the opener should see."""
        return False

    def responsible_participants(self):
        """The participants who must move the case on before its deadline."""
        from coordination.models.participants import Participant

        return Participant.objects.filter(
            content_type__app_label=self._meta.app_label,
            content_type__model=self._meta.model_name,
            object_id=self.pk,
            role__in=self.timed_states.get(self.state, ()),
        ).select_related("organisation")

    @property
    def is_overdue(self) -> bool:
        return self.due_at is not None and self.due_at <= timezone.now()

    @property
    def effective_time_limit(self):
        return self.time_limit or self.mechanism.default_deadline

    def deadline_on_entering(self, state: str, now, *, working_day=None):
        """When a case entering `state` falls due (None: no deadline there): a per-case time
        limit, else the catalogue's — on the clock, or the same working day when the catalogue's
        basis says so (coordination/calendar). A mechanism may override this."""
        if state not in self.timed_states:
            return None
        if self.time_limit is None and self.mechanism.deadline_basis == Mechanism.DeadlineBasis.WORKING_DAY:
            from coordination.calendar.working_days import same_working_day_deadline

            return (working_day or same_working_day_deadline)(now)
        return now + self.effective_time_limit

    @classmethod
    def deadlines_on_entering(cls, cases, state: str, now) -> list:
        """`deadline_on_entering` of many cases entering `state` at the same moment (bulk
        creation): the working-day calendar is read once for all of them."""
        import functools

        from coordination.calendar.working_days import same_working_day_deadline

        working_day = functools.cache(same_working_day_deadline)
        return [case.deadline_on_entering(state, now, working_day=working_day) for case in cases]
