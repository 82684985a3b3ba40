"""Reminders and escalation of overdue cases (run by Celery beat every minute).

A case past `due_at` gets one reminder to the organisations responsible for its state; past
`escalate_at` it is escalated: their region's leading group and the Regional Cooperation
Office join as observers and are told. Both are audit entries by the system and outbox events.
"""

from django.db import transaction
from django.utils import timezone

from coordination import events
from coordination.models import Case, Organisation, Participant
from coordination.workflow.engine import (
    TransitionContext,
    audit_append,
    case_event_payload,
    outbox_emit,
    participant_add,
)


def case_models() -> list[type[Case]]:
    """Every registered mechanism's case model (coordination/workflow/mechanisms.py)."""
    from coordination.workflow import mechanisms

    return mechanisms.models()


def responsible_organisations(case) -> list[Organisation]:
    return [p.organisation for p in case.responsible_participants()]


def deadline_remind(case, now) -> None:
    responsible = responsible_organisations(case)
    case.reminded_at = now
    case.save(update_fields=["reminded_at"])
    audit_append(
        case,
        ctx=TransitionContext(by=None, organisation=None, now=now),
        transition="remind",
        from_state=case.state,
        to_state=case.state,
        payload={"organisations": [o.pk for o in responsible]},
    )
    outbox_emit(
        events.DEADLINE_REMINDER,
        case=case,
        payload=case_event_payload(case, due_at=case.due_at.isoformat(), organisations=[o.pk for o in responsible]),
    )


def escalation_targets(responsible: list[Organisation]) -> list[Organisation]:
    regions = {o.region_id for o in responsible if o.region_id}
    return list(
        Organisation.objects.filter(kind=Organisation.Kind.LEADING_GROUP, region_id__in=regions)
        | Organisation.objects.filter(kind=Organisation.Kind.COOPERATION_OFFICE)
    )


def deadline_escalate(case, now) -> None:
    responsible = responsible_organisations(case)
    targets = escalation_targets(responsible)
    for organisation in targets:
        participant_add(case, organisation=organisation, role=Participant.Role.OBSERVER)
    case.escalated_at = now
    case.reminded_at = case.reminded_at or now
    case.save(update_fields=["escalated_at", "reminded_at"])
    audit_append(
        case,
        ctx=TransitionContext(by=None, organisation=None, now=now),
        transition="escalate",
        from_state=case.state,
        to_state=case.state,
        payload={"responsible": [o.pk for o in responsible], "escalated_to": [o.pk for o in targets]},
    )
    outbox_emit(
        events.DEADLINE_ESCALATED,
        case=case,
        payload=case_event_payload(
            case,
            due_at=case.due_at.isoformat(),
            responsible=[o.pk for o in responsible],
            organisations=[o.pk for o in targets],
        ),
    )


def deadlines_check(now=None) -> dict[str, int]:
    """Remind and escalate every overdue case; each case in its own short transaction, with
    its row locked and the condition re-checked, so two beat runs never double up."""
    now = now or timezone.now()
    counts = {"reminded": 0, "escalated": 0}
    for model in case_models():
        due = model.objects.filter(due_at__lte=now, reminded_at__isnull=True).values_list("pk", flat=True)
        for pk in list(due[:1000]):
            with transaction.atomic():
                case = (
                    model.objects.select_for_update().filter(pk=pk, due_at__lte=now, reminded_at__isnull=True).first()
                )
                if case is not None:
                    deadline_remind(case, now)
                    counts["reminded"] += 1
        late = model.objects.filter(escalate_at__lte=now, escalated_at__isnull=True).values_list("pk", flat=True)
        for pk in list(late[:1000]):
            with transaction.atomic():
                case = (
                    model.objects.select_for_update()
                    .filter(pk=pk, escalate_at__lte=now, escalated_at__isnull=True)
                    .first()
                )
                if case is not None:
                    deadline_escalate(case, now)
                    counts["escalated"] += 1
    return counts


def notices_expire(today=None) -> int:
    """Close the issued notices whose validity ended before `today` (system transition)."""
    from coordination.workflow.engine import system_transition_fire
    from coordination.workflow.patterns import NoticeCase

    today = today or timezone.localdate()
    expired = 0
    for model in case_models():
        if not issubclass(model, NoticeCase) or not model.expires_after_field:
            continue
        ended = {"state": NoticeCase.S.ISSUED, f"{model.expires_after_field}__lt": today}
        for pk in list(model.objects.filter(**ended).values_list("pk", flat=True)[:1000]):
            with transaction.atomic():
                case = model.objects.select_for_update().filter(pk=pk, **ended).first()
                if case is not None:
                    system_transition_fire(case, "expire")
                    expired += 1
    return expired


def credentials_expire(now=None) -> int:
    """Move issued credentials whose validity has ended to expired (system transition); a
    verifier already answers "expired" from the signed expiry, this keeps the registers true."""
    from coordination.workflow.engine import system_transition_fire
    from coordination.workflow.patterns import CredentialCase

    now = now or timezone.now()
    expired = 0
    for model in case_models():
        if not issubclass(model, CredentialCase):
            continue
        ended = {"state": CredentialCase.S.ISSUED, "expires_at__lte": now}
        for pk in list(model.objects.filter(**ended).values_list("pk", flat=True)[:1000]):
            with transaction.atomic():
                case = model.objects.select_for_update().filter(pk=pk, **ended).first()
                if case is not None:
                    system_transition_fire(case, "expire", now=now)
                    expired += 1
    return expired
