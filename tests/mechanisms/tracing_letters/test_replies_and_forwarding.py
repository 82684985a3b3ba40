"""The addressee accepts, assigns persons to its cities and replies person by person; a person
who moved on is forwarded in a new letter linked to the first, the original sender told."""

import pytest

from coordination.errors import Conflict, Invalid, PreconditionFailed
from coordination.mechanisms.tracing_letters.models import TracedPerson, TracingLetter
from tests.mechanisms.tracing_letters.conftest import ID_1, ID_2, ID_3, URL, person


@pytest.fixture
def letter(send):
    return send(persons=[person(ID_1), person(ID_2, name="李秀英", city="340700"), person(ID_3, name="张伟")])


def states(letter) -> dict[int, str]:
    return dict(TracedPerson.objects.filter(letter=letter).values_list("number", "state"))


def test_the_addressee_assigns_persons_to_its_cities(letter, fire):
    fire(letter, "accept")
    letter = fire(letter, "assign_persons", city="340100", persons=[1, 3])
    letter = fire(letter, "assign_persons", city="铜陵")  # every one still unassigned
    assigned = dict(TracedPerson.objects.filter(letter=letter).values_list("number", "assigned_city"))
    assert assigned == {1: "340100", 2: "340700", 3: "340100"}
    assert set(states(letter).values()) == {"assigned"}


def test_a_city_outside_the_addressed_region_is_refused(letter, fire):
    fire(letter, "accept")
    with pytest.raises(Invalid) as refused:
        fire(letter, "assign_persons", city="320500")
    assert "city" in refused.value.details


def test_replies_per_person_are_visible_to_the_sender_as_they_come(letter, fire, api_as, m1):
    fire(letter, "accept")
    fire(letter, "reply_person", person=1, outcome="under_observation", note="集中隔离")
    fire(letter, "reply_person", person=2, outcome="tested", test_result="negative", tested_on="2020-01-30")
    body = api_as(m1.user("sh-liaison")).get(f"{URL}{letter.pk}/").json()
    assert body["answered_count"] == 2 and body["open_person_count"] == 1
    assert [(p["state"], p["test_result"]) for p in body["persons"]] == [
        ("under_observation", ""),
        ("tested", "negative"),
        ("pending", ""),
    ]
    assert "reply" not in api_as(m1.user("ah-liaison")).get(f"{URL}{letter.pk}/").json()["allowed_transitions"]


def test_a_tested_reply_needs_its_result_and_a_move_its_region(letter, fire):
    fire(letter, "accept")
    with pytest.raises(Invalid) as refused:
        fire(letter, "reply_person", person=1, outcome="tested")
    assert "test_result" in refused.value.details
    with pytest.raises(Invalid) as refused:
        fire(letter, "reply_person", person=1, outcome="moved_on")
    assert "moved_to" in refused.value.details
    with pytest.raises(Invalid):
        fire(letter, "reply_person", person=9, outcome="not_found")


def test_a_stale_person_version_is_a_412(letter, fire):
    fire(letter, "accept")
    fire(letter, "reply_person", person=1, outcome="not_found")
    with pytest.raises(PreconditionFailed):
        fire(letter, "reply_person", person=1, outcome="under_observation", person_version=1)
    fire(letter, "reply_person", person=1, outcome="under_observation", person_version=2)
    assert states(letter)[1] == "under_observation"


def test_the_letter_is_replied_once_every_person_is_answered_and_the_sender_closes_it(letter, fire):
    fire(letter, "accept")
    with pytest.raises(Conflict):
        fire(letter, "reply", result="尚未完成")
    for number in (1, 2, 3):
        fire(letter, "reply_person", person=number, outcome="not_found")
    letter = fire(letter, "reply", result="3人均未找到，继续排查。")
    assert letter.state == "replied" and letter.due_at is None
    letter = fire(letter, "close", by="sh-liaison")
    assert letter.state == "closed" and letter.closed_at


def test_a_person_who_moved_on_is_forwarded_to_that_region_in_a_linked_letter(letter, fire, api_as, m1):
    from notices.models import Notice

    fire(letter, "accept")
    before = Notice.objects.filter(recipient=m1.user("sh-liaison")).count()
    letter = fire(letter, "reply_person", person=2, outcome="moved_on", moved_to="330000", note="已前往杭州")
    [forward] = TracingLetter.objects.filter(forwarded_from=letter)
    assert forward.originator.code == "ah-liaison" and forward.addressee_region_id == "330000"
    assert forward.reference.startswith("AH-TRC-") and forward.state == "submitted" and forward.due_at
    [copy] = forward.persons.all()
    assert copy.name == "李秀英" and copy.id_number == ID_2 and copy.forwarded_from.letter == letter
    moved = TracedPerson.objects.get(letter=letter, number=2)
    assert moved.state == "moved_on" and moved.forwarded_in == forward and moved.moved_to_id == "330000"
    # The original sender is told, and follows the forwarded letter; Zhejiang answers it.
    assert Notice.objects.filter(recipient=m1.user("sh-liaison")).count() > before
    sender = api_as(m1.user("sh-liaison"))
    assert sender.get(f"{URL}{forward.pk}/").status_code == 200
    detail = sender.get(f"{URL}{letter.pk}/").json()
    assert detail["forwards"] == [
        {"id": forward.pk, "reference": forward.reference, "state": "submitted", "addressee_region": "330000"}
    ]
    assert detail["persons"][1]["forwarded_in"] == {"id": forward.pk, "reference": forward.reference}
    assert api_as(m1.user("zj-liaison")).get(f"{URL}{forward.pk}/").status_code == 200
    assert api_as(m1.user("zj-liaison")).get(f"{URL}{letter.pk}/").status_code == 404
    assert api_as(m1.user("js-liaison")).get(f"{URL}{forward.pk}/").status_code == 404
    fire(forward, "accept", by="zj-liaison")
    fire(forward, "reply_person", by="zj-liaison", person=1, outcome="under_observation")
    with pytest.raises(Conflict):
        fire(letter, "reply_person", person=2, outcome="not_found")


def test_several_persons_are_forwarded_together_in_one_letter(letter, fire):
    fire(letter, "accept")
    fire(letter, "forward_persons", persons=[1, 3], region="320000", note="两人已赴南京")
    [forward] = TracingLetter.objects.filter(forwarded_from=letter)
    assert forward.person_count == 2 and [p.name for p in forward.persons.order_by("number")] == ["王建国", "张伟"]
    assert TracingLetter.objects.get(pk=letter.pk).answered_count == 2
    with pytest.raises(Conflict):
        fire(letter, "forward_persons", persons=[1], region="330000")
    with pytest.raises(Invalid):
        fire(letter, "forward_persons", persons=[2], region="340000")  # the addressee's own region


def test_the_api_fires_per_person_replies_with_the_error_shape(letter, api_as, m1, fire):
    client = api_as(m1.user("ah-liaison"))
    fire(letter, "accept")
    url = f"{URL}{letter.pk}/transitions/reply_person/"
    empty = client.post(url, {}, format="json")
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "invalid"
    ok = client.post(url, {"payload": {"person": 1, "outcome": "not_found"}}, format="json")
    assert ok.status_code == 200
    assert (
        api_as(m1.user("sh-liaison"))
        .post(url, {"payload": {"person": 1, "outcome": "not_found"}}, format="json")
        .status_code
        == 403
    )
    stale = client.post(url, {"payload": {"person": 1, "outcome": "not_found"}, "version": 1}, format="json")
    assert stale.status_code == 412
