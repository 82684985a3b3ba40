"""The letter's page shows its persons with their follow-up state (masked); the new-letter page
sends a letter typed row by row or imported, and reports bad rows; the unmasking page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from coordination.mechanisms.tracing_letters.models import PersonalNumberUnmasking, TracingLetter
from coordination.mechanisms.tracing_letters.persons import FIELDS
from tests.mechanisms.tracing_letters.conftest import ID_1, ID_2, csv_bytes, row


@pytest.fixture
def browser(m1):
    def make(username):
        client = Client()
        client.force_login(m1.user(username))
        return client

    return make


def test_the_letter_page_shows_each_persons_state_masked(send, fire, browser):
    letter = send()
    fire(letter, "accept")
    fire(letter, "reply_person", person=1, outcome="tested", test_result="negative")
    html = browser("sh-liaison").get(f"/cases/tracing-letters/{letter.pk}/").content.decode()
    assert letter.reference in html and "王建国" in html
    assert ID_1[:6] + "********" + ID_1[-4:] in html and ID_1 not in html and "13800000001" not in html
    assert 'id="person-1"' in html and "tl-state-tested" in html and "tl-state-pending" in html
    assert "form-reply_person" not in html  # the sender does not answer
    assert 'id="form-unmask"' in html  # the sender holds the permission


def test_the_addressee_replies_about_a_person_from_the_page(send, fire, browser):
    letter = send()
    fire(letter, "accept")
    client = browser("ah-liaison")
    html = client.get(f"/cases/tracing-letters/{letter.pk}/").content.decode()
    assert "form-reply_person" in html and "form-assign_persons" in html and "form-unmask" not in html
    letter.refresh_from_db()
    response = client.post(
        f"/cases/tracing-letters/{letter.pk}/transitions/reply_person/",
        {"version": letter.version, "person": "2", "outcome": "moved_on", "moved_to": "330000", "note": "去杭州"},
    )
    assert response.status_code == 302
    assert TracingLetter.objects.filter(forwarded_from=letter, addressee_region="330000").exists()
    bad = client.post(f"/cases/tracing-letters/{letter.pk}/transitions/reply_person/", {"person": "1"})
    assert bad.status_code == 302
    assert client.session["case_errors"]["action"] == "reply_person"


def test_a_third_region_gets_a_404_page(send, browser):
    letter = send()
    assert browser("js-liaison").get(f"/cases/tracing-letters/{letter.pk}/").status_code == 404


def test_the_new_letter_page_sends_typed_persons(m1, browser):
    client = browser("sh-liaison")
    page = client.get("/tracing-letters/new/")
    assert page.status_code == 200 and "import-template/?type=xlsx" in page.content.decode()
    data = {
        "title": "协查函",
        "addressee": "ah-liaison",
        "index_case_status": "confirmed",
        "index_case_summary": "G7192",
        "import_mode": "all",
    }
    for name, value in zip(FIELDS, row(ID_1), strict=True):
        data[f"person-0-{name}"] = value
    response = client.post("/tracing-letters/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    letter = TracingLetter.objects.get()
    assert letter.person_count == 1


def test_the_new_letter_page_reports_bad_rows_and_imports_nothing(m1, browser):
    client = browser("sh-liaison")
    bad = ID_2[:-1] + ("0" if ID_2[-1] != "0" else "1")
    data = {
        "title": "协查函",
        "addressee": "ah-liaison",
        "index_case_status": "confirmed",
        "index_case_summary": "G7192",
        "import_mode": "all",
        "file": SimpleUploadedFile("p.csv", csv_bytes([row(ID_1), row(bad)], encoding="gbk")),
    }
    response = client.post("/tracing-letters/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "invalid_check_digit" in html and bad not in html
    assert not TracingLetter.objects.exists()


def test_others_than_senders_may_not_open_the_new_letter_page(m1, browser):
    assert browser("wuxi-hospital").get("/tracing-letters/new/").status_code == 403


def test_the_unmasking_page_shows_the_numbers_once_and_records_it(send, browser):
    letter = send()
    client = browser("sh-liaison")
    response = client.post(f"/tracing-letters/{letter.pk}/unmask/", {"reason": "电话核实"}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 200 and ID_1 in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert PersonalNumberUnmasking.objects.get().ip_address == "10.0.0.9"
    assert browser("ah-liaison").post(f"/tracing-letters/{letter.pk}/unmask/", {"reason": "x"}).status_code == 403
    assert browser("js-liaison").post(f"/tracing-letters/{letter.pk}/unmask/", {"reason": "x"}).status_code == 404
