"""`manage.py generate_scale_data` (the benchmarks' data sets) builds its cases through the engine
— `cases_create_many`, then `transitions_fire_each` — so they cover every state, their audit
chains verify, and each is written exactly as a case created and answered one request at a time
(participants, object permissions, receipts, audit trail, events): the generator cannot drift
from the engine. And the bulk transition path itself: what it writes, what it refuses."""

from collections import Counter
from datetime import datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from coordination import events
from coordination.errors import Conflict, PreconditionFailed
from coordination.mechanisms.assignment_sheets.models import AssignmentSheet
from coordination.mechanisms.assignment_sheets.services import assignment_sheet_create
from coordination.mechanisms.insurance.models import InsuranceFiling
from coordination.mechanisms.measure_notices.models import MeasureNotice
from coordination.mechanisms.measure_notices.services import measure_notice_issue
from coordination.models import AuditEntry, OutboxEvent, Participant, Receipt
from coordination.workflow.access import ROLE_PERMISSIONS
from coordination.workflow.audit import audit_verify
from coordination.workflow.engine import (
    Firing,
    NewCase,
    case_create,
    cases_create_many,
    transition_fire,
    transitions_fire_each,
    transitions_fire_many,
)
from notices.models import Notice

Role = Participant.Role
SIZES = {"filings": 300, "notices": 20, "sheets": 50}


@pytest.fixture
def scale_data(db):
    call_command("generate_scale_data", **SIZES, seed=7, end=timezone.localdate(), verbosity=0)


# --- the generated data set -------------------------------------------------------------------


def test_a_small_data_set_covers_every_state_with_intact_audit_chains(scale_data, capsys):
    assert InsuranceFiling.objects.count() == SIZES["filings"]
    assert MeasureNotice.objects.count() == SIZES["notices"]
    assert AssignmentSheet.objects.count() == SIZES["sheets"]
    for model in (InsuranceFiling, MeasureNotice, AssignmentSheet):
        states = set(model.objects.values_list("state", flat=True))
        assert states == set(model.State.values), model
        # Spread over the year before today, not created at one moment.
        first, last = (
            model.objects.order_by(order).values_list("created_at", flat=True)[0]
            for order in ("created_at", "-created_at")
        )
        assert last - first > timedelta(days=270), model
        assert last <= timezone.now()
    receipt_states = set(Receipt.objects.values_list("state", flat=True))
    assert {Receipt.State.ACKNOWLEDGED, Receipt.State.RECEIVED} <= receipt_states
    # Most filings are decided; those still open are mostly recent (and one per person).
    states = Counter(InsuranceFiling.objects.values_list("state", flat=True))
    assert states["approved"] > SIZES["filings"] / 2
    # Every superseded notice was replaced by a later notice of its issuer.
    for old in MeasureNotice.objects.filter(state="superseded"):
        new = MeasureNotice.objects.get(supersedes=old)
        assert new.originator_id == old.originator_id and new.created_at <= old.closed_at
    assert audit_verify() == (AuditEntry.objects.count(), None)
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out


def test_generated_cases_are_shaped_as_the_engine_writes_them(scale_data):
    """Each case has its pattern's participants with exactly their roles' permissions, a
    receipt per addressee, one audit entry and one event per step, and its deadline fields
    as the engine leaves them."""
    from guardian.utils import get_group_obj_perms_model

    for model, roles in (
        (InsuranceFiling, {Role.ORIGINATOR: 1, Role.RESPONDER: 1}),
        (AssignmentSheet, {Role.ORIGINATOR: 1, Role.RESPONDER: 1}),
        (MeasureNotice, {Role.ORIGINATOR: 1, Role.ADDRESSEE: 4}),
    ):
        content_type = ContentType.objects.get_for_model(model)
        rows = {"content_type": content_type}
        participants, receipts, audit, kinds = {}, {}, {}, Counter()
        for object_id, org, group, role in Participant.objects.filter(**rows).values_list(
            "object_id", "organisation_id", "organisation__group_id", "role"
        ):
            participants.setdefault(object_id, []).append((org, group, role))
        for object_id, org in Receipt.objects.filter(**rows).values_list("object_id", "organisation_id"):
            receipts.setdefault(object_id, []).append(org)
        for object_id, seq, transition in AuditEntry.objects.filter(**rows).values_list(
            "object_id", "seq", "transition"
        ):
            audit.setdefault(object_id, []).append((seq, transition))
        for object_id, kind in OutboxEvent.objects.filter(**rows).values_list("object_id", "kind"):
            kinds[(object_id, kind)] += 1
        perms = {}
        for case_id, group, codename in get_group_obj_perms_model(model).objects.values_list(
            "content_object_id", "group_id", "permission__codename"
        ):
            perms.setdefault(case_id, set()).add((group, codename))
        for case in model.objects.all():
            joined = participants[case.pk]
            assert Counter(role for _org, _group, role in joined) == roles, case
            assert (case.originator_id, case.originator.group_id, Role.ORIGINATOR) in joined
            expected = {
                (group, f"{action}_{model._meta.model_name}")
                for _org, group, role in joined
                for action in ROLE_PERMISSIONS[role]
            }
            assert perms[case.pk] == expected, case
            addressees = sorted(org for org, _group, role in joined if role == Role.ADDRESSEE)
            assert sorted(receipts.get(case.pk, [])) == addressees, case
            steps = sorted(audit[case.pk])
            assert [seq for seq, _transition in steps] == list(range(1, case.version + 1)), case
            assert steps[0][1] == "create"
            assert kinds[(case.pk, events.CASE_CREATED)] == 1
            assert kinds[(case.pk, events.CASE_TRANSITIONED)] == case.version - 1
            if case.state not in case.timed_states:
                assert case.due_at is None and case.escalate_at is None, case
            else:
                assert case.due_at is not None and case.escalate_at > case.due_at, case
    approved = InsuranceFiling.objects.filter(state="approved")
    assert not approved.filter(receipt_digest="").exists()
    assert all(filing.receipt_digest == filing.receipt_digest_compute() for filing in approved[:20])


def signature(case) -> dict:
    """What creating and answering a case wrote, without what differs between any two cases."""
    from guardian.utils import get_group_obj_perms_model

    content_type = ContentType.objects.get_for_model(case)
    rows = {"content_type": content_type, "object_id": case.pk}
    receipt_orgs = dict(Receipt.objects.filter(**rows).values_list("pk", "organisation__code"))
    case.refresh_from_db()
    return {
        "case": (case.state, case.version, case.originator_id, case.created_by_id, case.mechanism_id),
        "participants": sorted(Participant.objects.filter(**rows).values_list("organisation__code", "role")),
        "receipts": sorted(Receipt.objects.filter(**rows).values_list("organisation__code", "state", "version")),
        "permissions": sorted(
            get_group_obj_perms_model(case)
            .objects.filter(content_object_id=case.pk)
            .values_list("group__name", "permission__codename")
        ),
        "audit": [
            (
                e.seq,
                e.transition,
                e.from_state,
                e.to_state,
                e.actor_id,
                e.organisation_id,
                e.comment,
                {**e.payload, **({"item": receipt_orgs[e.payload["item"]]} if "item" in e.payload else {})},
            )
            for e in AuditEntry.objects.filter(**rows).order_by("seq")
        ],
        "events": [
            (
                event.kind,
                {k: v for k, v in event.payload.items() if k not in ("id", "reference", "title")},
            )
            for event in OutboxEvent.objects.filter(**rows).order_by("pk")
        ],
        "notices": sorted(
            Counter(
                Notice.objects.filter(content_type=content_type, object_id=case.pk).values_list(
                    "recipient__username", "kind"
                )
            ).items()
        ),
    }


def replay(model, case, created):
    """Fire the generated case's steps, as its audit trail records them, one by one with
    transition_fire on `created` (the same case made by the service)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.select_related("membership__organisation")
    for entry in AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id=case.pk)[
        1:
    ]:
        data = {k: v for k, v in entry.payload.items() if k != "item"}
        transition_fire(
            model, created.pk, entry.transition, by=users.get(pk=entry.actor_id), data=data, comment=entry.comment
        )


def test_a_generated_case_is_written_as_the_services_and_transition_fire_write_it(scale_data):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.select_related("membership__organisation")
    sheet = AssignmentSheet.objects.filter(state="closed").first()
    twin = assignment_sheet_create(
        by=users.get(pk=sheet.created_by_id),
        title=sheet.title,
        matter=sheet.matter,
        reply_due=sheet.reply_due,
        addressee=Participant.objects.get(
            object_id=sheet.pk, content_type__model="assignmentsheet", role=Role.RESPONDER
        ).organisation,
    )
    replay(AssignmentSheet, sheet, twin)
    assert signature(twin) == signature(sheet)

    # A notice answered by its addressees (acknowledgements, and objections if there are any:
    # item transitions), replayed from its issue.
    objected = Receipt.objects.filter(state=Receipt.State.OBJECTED).values("object_id")
    answered = MeasureNotice.objects.filter(state__in=["closed", "issued"], version__gt=2).order_by("-version", "pk")
    notice = answered.filter(pk__in=objected).first() or answered.first()
    twin = measure_notice_issue(
        by=users.get(pk=notice.created_by_id),
        mechanism=notice.mechanism_id,
        category=notice.category,
        title=notice.title,
        summary=notice.summary,
        body=notice.body,
        effective_from=notice.effective_from,
        effective_until=notice.effective_until,
        contact_officer=notice.contact_officer,
    )
    replay(MeasureNotice, notice, twin)
    assert signature(twin) == signature(notice)


# --- the bulk transition path -------------------------------------------------------------------


def sheets(addressee, n):
    return [NewCase(f"核查事项 {i}", [(addressee, Role.RESPONDER)], {"matter": f"第{i}项"}) for i in range(n)]


def test_firing_in_bulk_writes_what_transition_fire_writes(demo):
    officer, responder = demo.user("js-liaison"), demo.user("sh-liaison")
    addressee = demo.org("sh-liaison")
    single = case_create(
        AssignmentSheet, by=officer, title="单个", matter="单个", participants=[(addressee, Role.RESPONDER)]
    )
    transition_fire(AssignmentSheet, single.pk, "accept", by=responder)
    transition_fire(AssignmentSheet, single.pk, "reply", by=responder, data={"result": "已办结。"})
    batch = cases_create_many(AssignmentSheet, sheets(addressee, 3), by=officer)
    transitions_fire_many(AssignmentSheet, batch, "accept", by=responder)
    fired = transitions_fire_many(AssignmentSheet, batch, "reply", by=responder, data={"result": "已办结。"})

    assert fired == batch and all(case.state == "replied" and case.version == 3 for case in batch)
    expected = signature(single)
    for case in batch:
        assert signature(case) == expected
        stored = AssignmentSheet.objects.get(pk=case.pk)
        assert (stored.result, stored.replied_at, stored.due_at) == ("已办结。", case.replied_at, None)
    assert audit_verify() == (AuditEntry.objects.count(), None)


def test_firing_in_bulk_at_a_given_moment_records_it(demo):
    officer, responder, addressee = demo.user("js-liaison"), demo.user("sh-liaison"), demo.org("sh-liaison")
    created_at = timezone.make_aware(datetime(2020, 1, 30, 9, 0))
    [sheet] = cases_create_many(AssignmentSheet, sheets(addressee, 1), by=officer, now=created_at)
    assert sheet.reference.startswith("JS-ASG-2020-") and sheet.created_at == created_at
    assert sheet.due_at > created_at
    accepted_at = created_at + timedelta(minutes=30)
    transitions_fire_each(AssignmentSheet, [Firing(sheet, "accept", responder, now=accepted_at)])
    stored = AssignmentSheet.objects.get(pk=sheet.pk)
    assert (stored.state, stored.updated_at, stored.version) == ("accepted", accepted_at, 2)
    assert [e.at for e in AuditEntry.objects.filter(object_id=sheet.pk).order_by("seq")] == [created_at, accepted_at]


def test_a_transition_the_state_does_not_allow_is_refused_and_nothing_is_written(demo):
    officer, responder, addressee = demo.user("js-liaison"), demo.user("sh-liaison"), demo.org("sh-liaison")
    batch = cases_create_many(AssignmentSheet, sheets(addressee, 3), by=officer)
    transitions_fire_many(AssignmentSheet, batch[:1], "accept", by=responder)
    before = (AuditEntry.objects.count(), OutboxEvent.objects.count(), Notice.objects.count())
    with pytest.raises(Conflict) as refused:
        # The second sheet can be accepted, the first (accepted already) not again.
        transitions_fire_each(
            AssignmentSheet,
            [Firing(batch[1], "accept", responder), Firing(batch[0], "accept", responder)],
        )
    assert refused.value.details == {"case": batch[0].pk, "transition": "accept", "state": "accepted"}
    assert (AuditEntry.objects.count(), OutboxEvent.objects.count(), Notice.objects.count()) == before
    assert AssignmentSheet.objects.get(pk=batch[1].pk).state == "submitted"


def test_without_postgresql_the_cases_are_written_by_bulk_update(demo, monkeypatch):
    from coordination.workflow.engine import bulk_firing as engine

    officer, responder, addressee = demo.user("js-liaison"), demo.user("sh-liaison"), demo.org("sh-liaison")
    batch = cases_create_many(AssignmentSheet, sheets(addressee, 2), by=officer)
    real = engine.connections

    class NotPostgres:
        def __init__(self, alias):
            self.vendor, self.real = "sqlite", real[alias]

        def __getattr__(self, name):
            return getattr(self.real, name)

    monkeypatch.setattr(engine, "connections", {"default": NotPostgres("default")})
    transitions_fire_many(AssignmentSheet, batch, "reply", by=responder, data={"result": "已办结。"})
    monkeypatch.undo()
    for case in batch:
        stored = AssignmentSheet.objects.get(pk=case.pk)
        assert (stored.state, stored.version, stored.result, stored.replied_at) == (
            "replied",
            2,
            "已办结。",
            case.replied_at,
        )


def test_a_stale_instance_is_refused(demo):
    officer, responder, addressee = demo.user("js-liaison"), demo.user("sh-liaison"), demo.org("sh-liaison")
    [sheet] = cases_create_many(AssignmentSheet, sheets(addressee, 1), by=officer)
    stale = AssignmentSheet.objects.get(pk=sheet.pk)
    transition_fire(AssignmentSheet, sheet.pk, "accept", by=responder)
    with pytest.raises(PreconditionFailed):
        transitions_fire_many(AssignmentSheet, [stale], "reply", by=responder, data={"result": "晚了"})


def test_addressees_answer_in_bulk_on_their_receipts_and_the_last_acknowledgement_closes(demo):
    issuer = demo.user("js-liaison")
    notice = measure_notice_issue(
        by=issuer,
        mechanism="M3",
        category="border_control",
        title="通告",
        summary="摘要",
        body="正文",
        effective_from=timezone.localdate(),
    )
    receipts = {
        r.organisation.code: r for r in Receipt.objects.filter(object_id=notice.pk).select_related("organisation")
    }
    addressees = sorted(receipts)
    firings = [
        Firing(
            notice, "raise_objection", demo.user(addressees[0]), {"reason": "请先会商。"}, item=receipts[addressees[0]]
        ),
        *[Firing(notice, "acknowledge", demo.user(code), item=receipts[code]) for code in addressees[1:]],
    ]
    transitions_fire_each(MeasureNotice, firings)
    assert notice.state == "issued" and notice.version == len(addressees) + 1
    states = dict(Receipt.objects.filter(object_id=notice.pk).values_list("organisation__code", "state"))
    assert states == {addressees[0]: "objected", **dict.fromkeys(addressees[1:], "acknowledged")}
    # The same organisation answering again is refused by the transition's guard.
    with pytest.raises(Conflict):
        transitions_fire_many(MeasureNotice, [notice], "acknowledge", by=demo.user(addressees[1]))
    # The originator answers the objection; the last acknowledgement closes the notice.
    transitions_fire_each(
        MeasureNotice,
        [
            Firing(notice, "answer_objection", issuer, {"organisation": addressees[0], "answer": "已会商。"}),
            Firing(notice, "acknowledge", demo.user(addressees[0])),  # its receipt found by the transition
        ],
    )
    stored = MeasureNotice.objects.get(pk=notice.pk)
    assert (stored.state, stored.version, stored.closed_at) == ("closed", len(addressees) + 3, notice.closed_at)
    entries = list(AuditEntry.objects.filter(object_id=notice.pk, content_type__model="measurenotice").order_by("seq"))
    assert [e.transition for e in entries][-2:] == ["answer_objection", "acknowledge"]
    assert entries[-1].payload == {"item": receipts[addressees[0]].pk}
    assert audit_verify() == (AuditEntry.objects.count(), None)
