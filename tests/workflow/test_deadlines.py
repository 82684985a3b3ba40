"""Deadlines: a reminder when a case falls due, escalation after the grace period."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from coordination import events
from coordination.models import AuditEntry, OutboxEvent, Participant
from coordination.workflow.deadlines import deadlines_check
from coordination.workflow.engine import transition_fire


def test_a_case_is_reminded_at_its_deadline_then_escalated(demo, make_sheet):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sheet = make_sheet()  # M3: two hours to accept
    assert sheet.due_at == start + timedelta(hours=2)
    assert sheet.escalate_at == start + timedelta(hours=3)

    with time_machine.travel(start + timedelta(hours=1, minutes=59), tick=False):
        assert deadlines_check() == {"reminded": 0, "escalated": 0}
    with time_machine.travel(start + timedelta(hours=2, minutes=1), tick=False):
        assert deadlines_check() == {"reminded": 1, "escalated": 0}
        assert deadlines_check() == {"reminded": 0, "escalated": 0}
    reminder = OutboxEvent.objects.get(kind=events.DEADLINE_REMINDER)
    assert reminder.payload["organisations"] == [demo.org("sh-liaison").pk]

    with time_machine.travel(start + timedelta(hours=3, minutes=1), tick=False):
        assert deadlines_check() == {"reminded": 0, "escalated": 1}
        assert deadlines_check() == {"reminded": 0, "escalated": 0}
    escalation = OutboxEvent.objects.get(kind=events.DEADLINE_ESCALATED)
    assert set(escalation.payload["organisations"]) == {demo.org("sh-leading-group").pk, demo.org("yrd-office").pk}
    observers = Participant.objects.filter(object_id=sheet.pk, role=Participant.Role.OBSERVER)
    assert {p.organisation.code for p in observers} == {"sh-leading-group", "yrd-office"}
    trail = list(AuditEntry.objects.filter(object_id=sheet.pk).values_list("transition", "actor"))
    assert trail == [("create", demo.user("js-liaison").pk), ("remind", None), ("escalate", None)]


def test_moving_on_clears_the_deadline_and_a_new_state_sets_its_own(demo, make_sheet):
    reply_due = timezone.now() + timedelta(days=2)
    sheet = make_sheet(reply_due=reply_due)
    sheet = transition_fire(type(sheet), sheet.pk, "accept", by=demo.user("sh-liaison"))
    assert sheet.due_at == reply_due and sheet.reminded_at is None
    sheet = transition_fire(type(sheet), sheet.pk, "reply", by=demo.user("sh-liaison"), data={"result": "ok"})
    assert sheet.due_at is None
    with time_machine.travel(timezone.now() + timedelta(days=30), tick=False):
        assert deadlines_check() == {"reminded": 0, "escalated": 0}


def test_a_per_case_time_limit_overrides_the_catalogue(make_sheet):
    sheet = make_sheet(time_limit=timedelta(minutes=30))
    assert timedelta(minutes=29) < sheet.due_at - timezone.now() <= timedelta(minutes=30)
    assert sheet.escalate_at - sheet.due_at == timedelta(minutes=15)
