"""Creating cases in bulk (`cases_create_many`) writes exactly what creating them one by one
writes, in set operations: gap-free reference blocks, participants and permission rows, audit
chains that verify, outbox events, notices numbered consecutively per user; all or nothing."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import IntegrityError, connection

from coordination import events
from coordination.mechanisms.assignment_sheets.models import AssignmentSheet
from coordination.mechanisms.assignment_sheets.models import AssignmentSheetGroupObjectPermission as GroupPermission
from coordination.models import AuditEntry, OutboxEvent, Participant, Receipt, ReferenceSequence
from coordination.models.audit import GENESIS
from coordination.workflow.audit import audit_verify
from coordination.workflow.bulk import rows_insert
from coordination.workflow.engine import NewCase, case_create, case_event_payload, cases_create_many
from coordination.workflow.outbox import outbox_relay
from notices.models import Mailbox, Notice
from tests.concurrency import run_at_once
from tests.factories import MembershipFactory


@pytest.fixture(autouse=True, params=["copy", "insert"])
def insert_by(request, monkeypatch):
    """Each test twice: rows streamed by COPY, and sent by INSERT (few rows, or not PostgreSQL)."""
    from coordination.workflow import bulk

    monkeypatch.setattr(bulk, "COPY_FROM_ROWS", 1 if request.param == "copy" else 10**9)
    return request.param


@pytest.fixture
def office(demo):
    """js-liaison assigns to sh-liaison, which has a second member."""
    MembershipFactory(user__username="sh-liaison-2", organisation=demo.org("sh-liaison"))
    return demo


def sheets(addressee, n, title="核查返沪人员"):
    return [
        NewCase(f"{title} {i}", [(addressee, Participant.Role.RESPONDER)], {"matter": f"第{i}项", "reply_due": None})
        for i in range(n)
    ]


def number(case) -> int:
    return int(case.reference.rsplit("-", 1)[1])


def written_for(case) -> dict:
    """Everything creation wrote for the case, without what differs between any two cases."""
    content_type = ContentType.objects.get_for_model(case)
    rows = {"content_type": content_type, "object_id": case.pk}
    event = OutboxEvent.objects.get(**rows)
    return {
        "case": (case.state, case.version, case.originator_id, case.created_by_id, case.due_at - case.created_at),
        "participants": sorted(Participant.objects.filter(**rows).values_list("organisation__code", "role")),
        "receipts": sorted(Receipt.objects.filter(**rows).values_list("organisation__code", "state", "version")),
        "permissions": sorted(
            GroupPermission.objects.filter(content_object_id=case.pk).values_list("group__name", "permission__codename")
        ),
        "audit": [
            (e.seq, e.transition, e.from_state, e.to_state, e.actor_id, e.organisation_id, e.payload, e.prev_hash)
            for e in AuditEntry.objects.filter(**rows).order_by("seq")
        ],
        "event": (event.kind, {k: v for k, v in event.payload.items() if k not in ("id", "reference", "title")}),
        "notices": sorted(
            Notice.objects.filter(content_type=content_type, object_id=case.pk).values_list(
                "recipient__username", "kind", "source_event_id"
            )
        ),
    }


def counts() -> dict:
    return {
        "cases": AssignmentSheet.objects.count(),
        "participants": Participant.objects.count(),
        "permissions": GroupPermission.objects.count(),
        "audit": AuditEntry.objects.count(),
        "events": OutboxEvent.objects.count(),
        "notices": Notice.objects.count(),
        "mailboxes": sorted(Mailbox.objects.values_list("user_id", "last_seq")),
        "sequences": sorted(ReferenceSequence.objects.values_list("code", "last")),
    }


def test_a_batch_writes_what_creating_its_cases_one_by_one_writes(office):
    officer, addressee = office.user("js-liaison"), office.org("sh-liaison")
    single = case_create(
        AssignmentSheet, by=officer, title="单个", matter="单个", participants=[(addressee, Participant.Role.RESPONDER)]
    )
    batch = cases_create_many(AssignmentSheet, sheets(addressee, 5), by=officer)

    assert [number(case) for case in [single, *batch]] == [1, 2, 3, 4, 5, 6]
    assert ReferenceSequence.objects.get(region_abbr="JS", code="ASG").last == 6
    expected = written_for(single)
    assert (
        expected["audit"][0][-1] == GENESIS and len(expected["notices"]) == 4
    )  # sh-liaison, its colleague, sh-head; js-head
    for case in batch:
        written = written_for(case)
        event_id = OutboxEvent.objects.get(object_id=case.pk, content_type__model="assignmentsheet").pk
        assert written["notices"] == [(name, kind, event_id) for name, kind, _event in expected["notices"]]
        expected_here = {**expected, "notices": written["notices"]}
        assert written == expected_here
    assert [c.title for c in batch] == [f"核查返沪人员 {i}" for i in range(5)]
    stored = OutboxEvent.objects.get(object_id=batch[0].pk, content_type__model="assignmentsheet").payload
    assert stored == case_event_payload(batch[0], actor=officer.pk)


def test_the_batch_audit_chains_verify(office, capsys):
    cases_create_many(AssignmentSheet, sheets(office.org("sh-liaison"), 4), by=office.user("js-liaison"))
    assert audit_verify() == (4, None)
    assert all(entry.hash == entry.computed_hash() for entry in AuditEntry.objects.all())
    call_command("verify_audit")
    assert "4 entries verified" in capsys.readouterr().out


def test_each_user_gets_consecutive_notice_numbers_across_the_batch(office):
    officer, addressee = office.user("js-liaison"), office.org("sh-liaison")
    case_create(AssignmentSheet, by=officer, title="先", matter="先", participants=[(addressee, "responder")])
    batch = cases_create_many(AssignmentSheet, sheets(addressee, 4), by=officer)
    for username in ("sh-liaison", "sh-liaison-2"):
        notices = list(Notice.objects.filter(recipient__username=username).order_by("seq"))
        assert [n.seq for n in notices] == [1, 2, 3, 4, 5]
        assert [n.object_id for n in notices[1:]] == [case.pk for case in batch]
        assert Mailbox.objects.get(user__username=username).last_seq == 5
    assert not Notice.objects.filter(recipient__username="js-liaison").exists()  # not its author


def test_a_many_handler_gets_the_batch_at_once_and_a_plain_one_each_event(office):
    seen = {"one": [], "many": [], "plain": []}

    def one(event):
        seen["one"].append(event.pk)

    def many(recorded):
        seen["many"].append([event.pk for event in recorded])

    def plain(event):
        seen["plain"].append(event.pk)

    events.subscribe(events.CASE_CREATED, one, in_transaction=True, many=many)
    events.subscribe(events.CASE_CREATED, plain, in_transaction=True)
    try:
        batch = cases_create_many(AssignmentSheet, sheets(office.org("sh-liaison"), 3), by=office.user("js-liaison"))
        ids = list(
            OutboxEvent.objects.filter(object_id__in=[c.pk for c in batch]).order_by("pk").values_list("pk", flat=True)
        )
        assert seen == {"one": [], "many": [ids], "plain": ids}
        sheet = case_create(AssignmentSheet, by=office.user("js-liaison"), title="单", matter="单")
        single_id = OutboxEvent.objects.get(object_id=sheet.pk, kind=events.CASE_CREATED).pk
        assert seen == {"one": [single_id], "many": [ids], "plain": [*ids, single_id]}
    finally:
        events.unsubscribe(events.CASE_CREATED, one)
        events.unsubscribe(events.CASE_CREATED, plain)


def test_many_is_refused_for_after_commit_handlers():
    with pytest.raises(ValueError, match="in-transaction"):
        events.subscribe(events.CASE_CREATED, print, many=print)


def test_one_celery_task_delivers_the_whole_batch(office, monkeypatch, django_capture_on_commit_callbacks):
    from coordination import tasks

    queued = []
    monkeypatch.setattr(tasks.deliver_outbox_events, "apply_async", lambda args, **kw: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        batch = cases_create_many(AssignmentSheet, sheets(office.org("sh-liaison"), 4), by=office.user("js-liaison"))
    ids = sorted(OutboxEvent.objects.filter(object_id__in=[c.pk for c in batch]).values_list("pk", flat=True))
    assert queued == [(ids,)]
    tasks.deliver_outbox_events(*queued[0])
    assert not OutboxEvent.objects.filter(delivered_at__isnull=True).exists()


def test_a_broker_outage_leaves_the_batch_to_the_relay(office, monkeypatch, django_capture_on_commit_callbacks):
    from coordination import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.deliver_outbox_events, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        cases_create_many(AssignmentSheet, sheets(office.org("sh-liaison"), 3), by=office.user("js-liaison"))
    assert OutboxEvent.objects.filter(delivered_at__isnull=True).count() == 3
    assert outbox_relay(older_than=timedelta(0)) == 3
    assert not OutboxEvent.objects.filter(delivered_at__isnull=True).exists()


def _failing_subscriber(fail_at):
    seen = []

    def handler(event):
        seen.append(event)
        if len(seen) == fail_at:
            raise RuntimeError("subscriber failed")

    return handler


@pytest.mark.parametrize("failure", ["a case the database refuses", "a subscriber failing at the third event"])
def test_a_failure_half_way_leaves_nothing_written(office, failure):
    officer, addressee = office.user("js-liaison"), office.org("sh-liaison")
    case_create(AssignmentSheet, by=officer, title="先", matter="先", participants=[(addressee, "responder")])
    before = counts()
    new_cases = sheets(addressee, 5)
    handler = None
    if failure.startswith("a case"):
        new_cases[2].fields["matter"] = None  # a required column
        expected_error = IntegrityError
    else:
        handler = _failing_subscriber(fail_at=3)
        events.subscribe(events.CASE_CREATED, handler, in_transaction=True)
        expected_error = RuntimeError
    try:
        with pytest.raises(expected_error):
            cases_create_many(AssignmentSheet, new_cases, by=officer)
    finally:
        if handler:
            events.unsubscribe(events.CASE_CREATED, handler)
    assert counts() == before
    # The numbers went back with the rollback: the next case takes the next one.
    later = case_create(AssignmentSheet, by=officer, title="后", matter="后")
    assert number(later) == 2


def test_rows_insert_refuses_a_required_field_left_out(office):
    with pytest.raises(ValueError, match="organisation_id has no default"):
        rows_insert(Participant, ["content_type_id", "object_id", "role"], [(1, 1, "observer")])


def test_without_postgresql_rows_go_through_bulk_create(office, monkeypatch):
    from coordination.workflow import bulk

    sheet = case_create(AssignmentSheet, by=office.user("js-liaison"), title="单", matter="单")
    content_type = ContentType.objects.get_for_model(sheet).pk
    now = sheet.created_at
    columns = ("content_type_id", "object_id", "organisation_id", "role", "joined_at")
    observer = office.org("ah-liaison")

    real = bulk.connections

    class NotPostgres:
        def __init__(self, alias):
            self.vendor, self.real = "sqlite", real[alias]

        def __getattr__(self, name):
            return getattr(self.real, name)

    monkeypatch.setattr(bulk, "connections", {"default": NotPostgres("default")})
    ids = rows_insert(
        Participant, columns, [(content_type, sheet.pk, observer.pk, "observer", now)], returning_ids=True
    )
    monkeypatch.undo()
    row = Participant.objects.get(pk=ids[0])
    assert (row.organisation_id, row.role) == (observer.pk, "observer") and row.joined_at is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_simultaneous_batches_get_disjoint_consecutive_reference_blocks(demo):
    officer, addressee = demo.user("js-liaison"), demo.org("sh-liaison")
    outcomes = run_at_once(4, lambda: cases_create_many(AssignmentSheet, sheets(addressee, 5), by=officer))
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    blocks = sorted([number(case) for case in batch] for batch in outcomes)
    assert blocks == [list(range(start, start + 5)) for start in (1, 6, 11, 16)]
    assert ReferenceSequence.objects.get(region_abbr="JS", code="ASG").last == 20
    assert audit_verify() == (20, None)
    assert [n.seq for n in Notice.objects.filter(recipient__username="sh-liaison").order_by("seq")] == list(
        range(1, 21)
    )
