"""Notices are written with the event that causes them, to everyone it concerns."""

import pytest
from django.db import transaction
from django.utils import translation

from coordination.models import Membership, OutboxEvent
from coordination.workflow.engine import transition_fire
from notices.models import Mailbox, Notice
from notices.services import notice_mark_read, notices_for_event, notices_mark_all_read


def test_a_new_sheet_notifies_the_addressee_but_not_its_author(demo, make_sheet):
    sheet = make_sheet()
    recipients = set(Notice.objects.values_list("recipient__username", flat=True))
    # Every member of the participants but the author: the addressee office and its head, and
    # the author's own head.
    assert recipients == {"sh-liaison", "sh-head", "js-head"}
    notice = Notice.objects.get(recipient__username="sh-liaison")
    assert notice.kind == "case_created" and notice.seq == 1
    assert notice.reference == sheet.reference
    assert notice.link == f"/cases/assignment-sheets/{sheet.pk}/"
    assert notice.title_zh.startswith("新的省际协调事项交办单") and sheet.reference in notice.title_zh
    assert notice.title_en.startswith("New coordination assignment sheet")


def test_a_transition_notifies_every_member_of_every_participant(demo, make_sheet):
    colleague = Membership.objects.create(
        user=type(demo.user("js-liaison")).objects.create_user("js-2"), organisation=demo.org("js-liaison")
    ).user
    sheet = make_sheet()
    transition_fire(type(sheet), sheet.pk, "accept", by=demo.user("sh-liaison"))
    accepted = Notice.objects.filter(kind="case_transitioned")
    assert set(accepted.values_list("recipient__username", flat=True)) == {
        "js-liaison",
        "js-head",
        "sh-head",
        colleague.username,
    }
    assert accepted.first().title_zh.endswith("受理")
    with translation.override("en"):
        assert accepted.first().title.endswith("Accept")


def test_sequence_numbers_increase_per_user_without_gaps(demo, make_sheet):
    for _ in range(3):
        make_sheet()
    seqs = list(Notice.objects.filter(recipient__username="sh-liaison").order_by("seq").values_list("seq", flat=True))
    assert seqs == [1, 2, 3]
    assert Mailbox.objects.get(user__username="sh-liaison").last_seq == 3


def test_handling_the_same_event_twice_writes_no_second_notice(demo, make_sheet):
    make_sheet()
    event = OutboxEvent.objects.get(kind="case.created")
    assert notices_for_event(event) == []
    assert Notice.objects.count() == 3  # sh-liaison, sh-head and js-head, once each


def test_a_rolled_back_transition_leaves_no_notice(demo, make_sheet):
    sheet = make_sheet()
    with pytest.raises(RuntimeError), transaction.atomic():
        transition_fire(type(sheet), sheet.pk, "accept", by=demo.user("sh-liaison"))
        raise RuntimeError("crash after the transition")
    assert not Notice.objects.filter(kind="case_transitioned").exists()


def test_marking_read_is_idempotent(demo, make_sheet):
    make_sheet()
    user = demo.user("sh-liaison")
    first = notice_mark_read(user=user, seq=1).read_at
    assert first is not None
    assert notice_mark_read(user=user, seq=1).read_at == first
    make_sheet()
    assert notices_mark_all_read(user=user) == 1
    assert notices_mark_all_read(user=user) == 0
