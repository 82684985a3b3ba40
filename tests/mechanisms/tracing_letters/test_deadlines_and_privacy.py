"""The 24-hour deadline and its escalation through the engine; the audited unmasking; the
retention purge."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coordination.mechanisms.tracing_letters.models import PersonalNumberUnmasking, TracedPerson, TracingLetter
from coordination.mechanisms.tracing_letters.services import tracing_letters_purge
from coordination.models import AuditEntry, Participant
from coordination.pii.access import personal_data_accesses
from coordination.workflow.deadlines import deadlines_check
from tests.mechanisms.tracing_letters.conftest import ID_1, ID_2, URL


def test_an_unanswered_letter_is_reminded_after_24_hours_then_escalated(send):
    letter = send()
    assert deadlines_check(now=letter.created_at + timedelta(hours=23))["reminded"] == 0
    counts = deadlines_check(now=letter.created_at + timedelta(hours=24, minutes=1))
    assert counts["reminded"] == 1
    counts = deadlines_check(now=letter.created_at + timedelta(hours=27))
    assert counts["escalated"] == 1
    observers = set(
        Participant.objects.filter(
            object_id=letter.pk, role="observer", content_type__model="tracingletter"
        ).values_list("organisation__code", flat=True)
    )
    assert "yrd-office" in observers and all(not code.startswith(("js-", "zj-")) for code in observers)
    transitions = list(
        AuditEntry.objects.filter(object_id=letter.pk, content_type__model="tracingletter").values_list(
            "transition", flat=True
        )
    )
    assert transitions[-2:] == ["remind", "escalate"]


def test_accepting_does_not_restart_the_clock(send, fire):
    letter = send()
    due = letter.due_at
    letter = fire(letter, "accept")
    assert letter.due_at == due


def test_a_letter_may_ask_for_a_shorter_time_limit(send):
    letter = send(time_limit_minutes=240)
    assert letter.due_at - letter.created_at == timedelta(hours=4)


def test_no_full_number_reaches_a_user_without_the_permission(send, api_as, m1):
    letter = send()
    for username in ("ah-liaison", "yrd-office", "sh-liaison"):
        client = api_as(m1.user(username))
        text = client.get(f"{URL}{letter.pk}/").content.decode() + client.get(URL).content.decode()
        assert ID_1 not in text and ID_2 not in text and "13800000001" not in text
    refused = api_as(m1.user("ah-liaison")).post(f"{URL}{letter.pk}/unmask/", {"reason": "核实"}, format="json")
    assert refused.status_code == 403
    assert (
        api_as(m1.user("js-liaison")).post(f"{URL}{letter.pk}/unmask/", {"reason": "x"}, format="json").status_code
        == 404
    )
    assert not PersonalNumberUnmasking.objects.exists()


def test_unmasking_needs_a_reason_and_is_audited_with_user_organisation_ip_and_request_id(send, api_as, m1):
    letter = send()
    client = api_as(m1.user("sh-liaison"))
    assert client.post(f"{URL}{letter.pk}/unmask/", {}, format="json").status_code == 400
    response = client.post(
        f"{URL}{letter.pk}/unmask/",
        {"reason": "电话核实密接者身份 13912345678", "persons": [2]},
        format="json",
        HTTP_X_REQUEST_ID="req-42",
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 200
    assert response.json()["persons"] == [{"number": 2, "name": "李秀英", "id_number": ID_2, "phone": "13800000002"}]
    assert response["X-Request-ID"] == "req-42" and response["Cache-Control"] == "no-store"
    [record] = PersonalNumberUnmasking.objects.all()
    assert (record.user.username, record.organisation.code, record.ip_address, record.request_id) == (
        "sh-liaison",
        "sh-liaison",
        "10.1.2.3",
        "req-42",
    )
    assert record.persons == [2] and "13912345678" not in record.reason
    [access] = personal_data_accesses(letter).filter(action="unmask")
    assert access.reason == record.reason


def test_every_opening_is_logged(send, api_as, m1):
    letter = send()
    api_as(m1.user("ah-liaison")).get(f"{URL}{letter.pk}/")
    assert personal_data_accesses(letter).filter(action="open").count() == 1


@pytest.fixture
def closed_letter(send, fire):
    letter = send()
    fire(letter, "accept")
    for number in (1, 2):
        fire(letter, "reply_person", person=number, outcome="not_found")
    fire(letter, "reply", result="均未找到")
    return fire(letter, "close", by="sh-liaison")


def test_a_closed_letters_personal_data_is_purged_after_the_retention_period(closed_letter, settings, api_as, m1):
    settings.TRACING_LETTER_RETENTION_DAYS = 180
    assert tracing_letters_purge(now=closed_letter.closed_at + timedelta(days=179)) == 0
    assert tracing_letters_purge(now=closed_letter.closed_at + timedelta(days=181)) == 1
    assert tracing_letters_purge(now=closed_letter.closed_at + timedelta(days=182)) == 0
    first = TracedPerson.objects.get(letter=closed_letter, number=1)
    assert (first.name, first.id_number, first.phone, first.address, first.id_number_hash) == ("王**", "", "", "", "")
    assert first.id_number_masked == ID_1[:6] + "********" + ID_1[-4:] and first.phone_masked == "138****0001"
    letter = TracingLetter.objects.get(pk=closed_letter.pk)
    assert letter.personal_data_purged_at and letter.state == "closed"
    assert AuditEntry.objects.filter(
        object_id=letter.pk, content_type__model="tracingletter", transition="purge_personal_data"
    ).exists()
    body = api_as(m1.user("sh-liaison")).get(f"{URL}{letter.pk}/").json()
    assert body["persons"][0]["id_number"] == first.id_number_masked
    assert (
        api_as(m1.user("sh-liaison")).post(f"{URL}{letter.pk}/unmask/", {"reason": "x"}, format="json").status_code
        == 409
    )


def test_open_letters_are_never_purged(send):
    send()
    assert tracing_letters_purge(now=timezone.now() + timedelta(days=1000)) == 0
