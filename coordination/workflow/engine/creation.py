"""Creating cases, one at a time or in bulk: reference numbers, deadlines, participants, the first audit link."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from coordination import events
from coordination.models import Mechanism, Organisation, Participant, ReferenceSequence
from coordination.workflow import mechanisms
from coordination.workflow.access import (
    membership_of,
)
from coordination.workflow.bulk import instances_insert
from coordination.workflow.engine.context import TransitionContext
from coordination.workflow.engine.participants import participants_join_many
from coordination.workflow.engine.records import audit_entry, case_event_payload, outbox_emit_many

OFFICE_REFERENCE_ABBR = "YRD"


# --- deadlines on entering a state ------------------------------------------------------------


def escalation_grace(due_at, now):
    """How long after the deadline an overdue case is escalated: half its time limit, at
    least 10 minutes and at most 2 hours (an M7 incident escalates fast, a filing later)."""
    from datetime import timedelta

    limit = max(due_at - now, timedelta(0))
    return min(max(limit / 2, timedelta(minutes=10)), timedelta(hours=2))


def set_deadline(case, state: str, now) -> None:
    set_deadlines([case], state, now)


def set_deadlines(cases: Sequence, state: str, now) -> None:
    """`set_deadline` for cases of one model entering `state` at the same moment."""
    if not cases:
        return
    for case, due_at in zip(cases, type(cases[0]).deadlines_on_entering(cases, state, now), strict=True):
        case.due_at = due_at
        case.escalate_at = due_at + escalation_grace(due_at, now) if due_at else None
        case.reminded_at = None
        case.escalated_at = None


# --- creating a case and firing transitions ---------------------------------------------------


@dataclass
class NewCase:
    """One case to create: its title, its participants beyond the originator, its own fields."""

    title: str
    participants: Sequence[tuple[Organisation, str]] = ()
    fields: dict = field(default_factory=dict)


def case_create(
    model,
    *,
    by,
    title: str,
    participants: list[tuple[Organisation, str]] = (),
    mechanism_code: str | None = None,
    **fields,
):
    """Create a case of `model` originated by the user's organisation, with its reference
    number, its participants and the first link of its audit chain. A model serving several
    mechanisms (measure notices: M3, M7, F4, F5) is told which one."""
    # Saved, not bulk-inserted: the model's own save() runs, as it always has for one case.
    [case] = _cases_create(
        model, [NewCase(title, participants, fields)], by=by, mechanism_code=mechanism_code, bulk=False
    )
    return case


def cases_create_many(
    model, new_cases: Sequence[NewCase], *, by, mechanism_code: str | None = None, now: datetime | None = None
) -> list:
    """Create cases of `model` originated by the user's organisation, as `case_create` does each,
    in one transaction and in set operations: one block of consecutive reference numbers under
    one lock of their sequence, one insert each for the cases, their participants, their
    object permissions, their first audit entries and their CASE_CREATED events; the events'
    in-transaction handlers see them together, and one Celery task delivers them after commit.
    All or nothing.

    The cases are inserted together (as by `bulk_create`), so a model's own `save()` does not
    run: columns it derives there (e.g. search hashes) come in the fields.

    `now` (default: the current time) is the moment of creation: the cases' creation time,
    their first audit entries, their deadlines and the year of their reference numbers (scale
    data and imports of past cases give it)."""
    return _cases_create(model, new_cases, by=by, mechanism_code=mechanism_code, bulk=True, now=now)


def _cases_create(
    model, new_cases: Sequence[NewCase], *, by, mechanism_code: str | None, bulk: bool, now: datetime | None = None
) -> list:
    if not new_cases:
        return []
    declaration = mechanisms.for_model(model)
    mechanism_code = mechanism_code or declaration.code
    membership = membership_of(by)
    if not declaration.may_create(membership):
        raise PermissionDenied  # who may create: the declaration's `may_create`, for every caller
    originator = membership.organisation
    now = timezone.now() if now is None else now
    with transaction.atomic():
        mechanism = Mechanism.objects.get(code=mechanism_code)
        references = ReferenceSequence.allocate(
            region_abbr=originator.region.abbr if originator.region_id else OFFICE_REFERENCE_ABBR,
            code=declaration.reference_code_for(mechanism_code),
            year=timezone.localdate(now).year,
            count=len(new_cases),
        )
        cases = [
            model(
                title=new.title,
                mechanism=mechanism,
                originator=originator,
                created_by=by,
                created_at=now,
                reference=reference,
                **new.fields,
            )
            for new, reference in zip(new_cases, references, strict=True)
        ]
        for state in {case.state for case in cases}:
            set_deadlines([case for case in cases if case.state == state], state, now)
        if bulk:
            instances_insert(cases)
        else:
            for case in cases:
                case.save()
        participants_join_many(
            model,
            [
                (case, [(originator, Participant.Role.ORIGINATOR), *new.participants])
                for case, new in zip(cases, new_cases, strict=True)
            ],
        )
        ctx = TransitionContext(by=by, organisation=originator, now=now)
        instances_insert(
            [audit_entry(case, ctx=ctx, transition="create", from_state="", to_state=case.state) for case in cases]
        )
        outbox_emit_many(events.CASE_CREATED, [(case, case_event_payload(case, actor=by.pk)) for case in cases])
    return cases
