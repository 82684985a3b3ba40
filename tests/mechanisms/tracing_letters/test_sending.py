"""Sending a letter through the API: persons typed as JSON, masked in every answer, bad input
named by person and field, a third region not told the letter exists."""

from coordination.mechanisms.tracing_letters.models import TracedPerson, TracingLetter
from tests.mechanisms.tracing_letters.conftest import ID_1, ID_2, URL, letter_data, person


def test_a_liaison_office_sends_a_letter_and_sees_its_persons_masked(m1, api_as):
    response = api_as(m1.user("sh-liaison")).post(URL, letter_data(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"].startswith("SH-TRC-")
    assert body["state"] == "submitted" and body["person_count"] == 2
    assert [p["id_number"] for p in body["persons"]] == [
        ID_1[:6] + "********" + ID_1[-4:],
        ID_2[:6] + "********" + ID_2[-4:],
    ]
    assert body["persons"][0]["phone"] == "138****0001"
    text = response.content.decode()
    assert ID_1 not in text and "13800000001" not in text


def test_the_numbers_are_encrypted_at_rest_and_found_by_keyed_hash(send):
    from django.db import connection

    from coordination.mechanisms.tracing_letters.persons import id_hash

    letter = send()
    with connection.cursor() as cursor:
        cursor.execute("select id_number, phone from tracing_letters_tracedperson")
        stored = cursor.fetchall()
    assert all(ID_1 not in value and not value.startswith("1380") for pair in stored for value in pair)
    assert TracedPerson.objects.get(id_number_hash=id_hash(ID_1)).letter == letter


def test_a_letter_has_a_24_hour_deadline(send):
    letter = send()
    assert (letter.due_at - letter.created_at).total_seconds() == 24 * 3600


def test_bad_persons_are_a_400_naming_person_and_field_and_store_nothing(m1, api_as):
    bad = [
        person(ID_1),
        person(ID_1[:-1] + ("0" if ID_1[-1] != "0" else "1"), name="李秀英"),
        person(ID_2, phone="12345", city="320500"),
        person(ID_1, name="张伟"),
    ]
    response = api_as(m1.user("sh-liaison")).post(URL, letter_data(persons=bad), format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_persons"
    persons = error["details"]["persons"]
    assert [e["code"] for e in persons["1"]] == ["invalid_check_digit"]
    assert {e["code"] for e in persons["2"]} == {"invalid_phone", "city_not_in_region"}
    assert [e["code"] for e in persons["3"]] == ["duplicate"]
    assert "0" not in persons
    assert ID_1 not in response.content.decode()
    assert not TracingLetter.objects.exists() and not TracedPerson.objects.exists()


def test_a_letter_goes_to_another_regions_liaison_office(m1, api_as):
    response = api_as(m1.user("sh-liaison")).post(URL, letter_data(addressee="sh-liaison"), format="json")
    assert response.status_code == 400 and "addressee" in response.json()["error"]["details"]


def test_a_third_region_gets_404_and_the_office_sees_the_letter(send, api_as, m1):
    letter = send()
    assert api_as(m1.user("js-liaison")).get(f"{URL}{letter.pk}/").status_code == 404
    assert (
        api_as(m1.user("js-liaison")).post(f"{URL}{letter.pk}/transitions/accept/", {}, format="json").status_code
        == 404
    )
    assert letter.pk not in [row["id"] for row in api_as(m1.user("js-liaison")).get(URL).json()["results"]]
    assert api_as(m1.user("ah-liaison")).get(f"{URL}{letter.pk}/").status_code == 200
    assert api_as(m1.user("yrd-office")).get(f"{URL}{letter.pk}/").status_code == 200


def test_free_text_numbers_are_masked_before_the_letter_audit_and_notices_store_them(send, fire):
    from coordination.models import AuditEntry, OutboxEvent

    letter = send(title="协查 " + ID_1, index_case_summary="病例电话13912345678，身份证" + ID_2)
    assert (
        ID_1 not in letter.title
        and ID_2 not in letter.index_case_summary
        and "13912345678" not in letter.index_case_summary
    )
    fire(letter, "accept")
    letter = fire(letter, "reply_person", person=1, outcome="not_found", note="其家属电话13912345678，身份证" + ID_1)
    fire(letter, "refuse", reason="联系人" + ID_2)
    from notices.models import Notice

    assert Notice.objects.exists()
    stored = " ".join(
        [n.title_zh + n.title_en + n.body_zh + n.body_en for n in Notice.objects.all()]
        + [str(e.payload) + e.comment for e in AuditEntry.objects.all()]
        + [str(e.payload) for e in OutboxEvent.objects.all()]
        + [p.note for p in TracedPerson.objects.all()]
    )
    for number in (ID_1, ID_2, "13912345678"):
        assert number not in stored
    assert "139****5678" in stored


def test_the_persons_page_through_masked_and_filter_by_state(send, fire, api_as, m1):
    letter = send()
    fire(letter, "accept")
    fire(letter, "reply_person", person=2, outcome="not_found")
    client = api_as(m1.user("sh-liaison"))
    body = client.get(f"{URL}{letter.pk}/persons/").json()
    assert [p["number"] for p in body["results"]] == [1, 2]
    assert ID_1 not in str(body)
    assert [p["number"] for p in client.get(f"{URL}{letter.pk}/persons/?state=not_found").json()["results"]] == [2]
    assert api_as(m1.user("js-liaison")).get(f"{URL}{letter.pk}/persons/").status_code == 404


def test_the_list_shows_per_person_progress(send, fire, api_as, m1):
    letter = send()
    fire(letter, "accept")
    fire(letter, "reply_person", person=1, outcome="not_found")
    [row] = api_as(m1.user("sh-liaison")).get(URL).json()["results"]
    assert (row["person_count"], row["answered_count"], row["open_person_count"]) == (2, 1, 1)


def test_the_same_idempotency_key_and_body_send_one_letter(m1, api_as):
    client = api_as(m1.user("sh-liaison"))
    first = client.post(URL, letter_data(), format="json", HTTP_IDEMPOTENCY_KEY="letter-1")
    again = client.post(URL, letter_data(), format="json", HTTP_IDEMPOTENCY_KEY="letter-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and TracingLetter.objects.count() == 1


def test_an_import_with_an_idempotency_key_is_sent_once(m1, api_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.mechanisms.tracing_letters.conftest import csv_bytes, row

    client = api_as(m1.user("sh-liaison"))
    fields = {k: v for k, v in letter_data().items() if k != "persons"}
    for _ in range(2):
        response = client.post(
            URL,
            {**fields, "file": SimpleUploadedFile("p.csv", csv_bytes([row(ID_1)]))},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="import-1",
        )
        assert response.status_code == 201
    assert TracingLetter.objects.count() == 1


def test_hospitals_may_not_send_letters(m1, api_as):
    assert api_as(m1.user("wuxi-hospital")).post(URL, letter_data(), format="json").status_code == 403


def test_letters_are_found_by_a_persons_number_through_its_keyed_hash(send, api_as, m1):
    letter = send()
    found = api_as(m1.user("ah-liaison")).post(URL + "search/", {"id_number": ID_2}, format="json")
    assert found.status_code == 200 and [r["id"] for r in found.json()["results"]] == [letter.pk]
    by_phone = api_as(m1.user("sh-liaison")).post(URL + "search/", {"phone": "13800000001"}, format="json")
    assert [r["id"] for r in by_phone.json()["results"]] == [letter.pk]
    assert (
        api_as(m1.user("js-liaison")).post(URL + "search/", {"id_number": ID_2}, format="json").json()["results"] == []
    )
    assert api_as(m1.user("js-liaison")).post(URL + "search/", {}, format="json").status_code == 400


def test_numbers_in_payload_fields_no_transition_takes_never_reach_the_audit(send, api_as, m1):
    from coordination.models import AuditEntry

    letter = send()
    client = api_as(m1.user("ah-liaison"))
    response = client.post(
        f"{URL}{letter.pk}/transitions/accept/",
        {"payload": {"stray": ID_1}, "comment": "电话13912345678"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    [entry] = AuditEntry.objects.filter(object_id=letter.pk, transition="accept")
    assert entry.payload == {} and entry.comment == "电话139****5678"


def test_nul_bytes_and_dates_before_the_epidemic_are_refused_per_person(m1, api_as):
    bad = [person(ID_1, name="王\x00建国"), person(ID_2, name="李秀英", exposure_date="0001-01-01")]
    response = api_as(m1.user("sh-liaison")).post(URL, letter_data(persons=bad), format="json")
    assert response.status_code == 400
    persons = response.json()["error"]["details"]["persons"]
    assert [e["code"] for e in persons["0"]] == ["invalid_characters"]
    assert [e["code"] for e in persons["1"]] == ["too_early"]
    assert not TracingLetter.objects.exists()
