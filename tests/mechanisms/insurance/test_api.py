"""The integration API of hospital information systems: create, bad input named by field,
batch with a result per item, idempotent replays, masking and the audited unmask."""

import uuid

import pytest

from coordination.mechanisms.insurance.models import InsuranceFiling
from coordination.pii.access import personal_data_accesses
from tests.mechanisms.insurance.conftest import ID_NUMBER, filing_data

URL = "/api/v1/insurance-filings/"


def test_a_hospital_files_and_gets_a_masked_filing(ins, api_as):
    response = api_as(ins.user("wuxi-hospital")).post(URL, filing_data(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id_number"] == "310101********123" + ID_NUMBER[-1]
    assert body["phone"] == "138****8000"
    assert body["insuring_centre"] == "sh-insurance"
    assert body["state"] == "submitted" and body["due_at"]
    assert ID_NUMBER not in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")}, "id_number"),
        ({"birth_date": "1980-01-02"}, "birth_date"),
        ({"sex": "female"}, "sex"),
        ({"diagnosis": "Z99.9"}, "diagnosis"),
        ({"diagnosis": "COVID"}, "diagnosis"),
        ({"insuring_city": "320500"}, "insuring_city"),
        ({"insuring_city": "110000"}, "insuring_city"),
        ({"phone": "12345"}, "phone"),
        ({"admission_date": "2999-01-01"}, "admission_date"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(ins, api_as, overrides, field):
    response = api_as(ins.user("wuxi-hospital")).post(URL, filing_data(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
    assert not InsuranceFiling.objects.exists()


def test_a_duplicate_is_a_409_with_a_link_to_the_open_filing(ins, api_as):
    client = api_as(ins.user("wuxi-hospital"))
    first = client.post(URL, filing_data(), format="json").json()
    response = client.post(URL, filing_data(), format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate"
    assert response.json()["error"]["details"]["existing"]["reference"] == first["reference"]


def test_only_hospital_filers_may_file(ins, api_as):
    assert api_as(ins.user("sh-insurance")).post(URL, filing_data(), format="json").status_code == 403


def test_a_batch_reports_each_item_and_replays_idempotently(ins, api_as):
    client = api_as(ins.user("wuxi-hospital"))
    other = "31010119900215235"
    from coordination.pii.idcard import with_check_character

    items = [
        filing_data(hospital_reference="H-1"),
        filing_data(hospital_reference="H-2", id_number=with_check_character(other), birth_date="1990-02-15"),
        filing_data(hospital_reference="H-3", diagnosis="Q99.99"),
        filing_data(hospital_reference="H-4"),  # the same person as H-1: duplicate
        {"hospital_reference": "H-5", "patient_name": "李四"},
    ]
    key = str(uuid.uuid4())
    response = client.post(URL + "batch/", {"filings": items}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [r["result"] for r in body["results"]] == ["created", "created", "invalid", "duplicate", "invalid"]
    assert "diagnosis" in body["results"][2]["errors"]
    assert "id_number" in body["results"][4]["errors"]
    assert (body["created"], body["duplicate"], body["invalid"]) == (2, 1, 2)
    assert InsuranceFiling.objects.count() == 2

    replay = client.post(URL + "batch/", {"filings": items}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert replay.json() == body and replay["Idempotent-Replayed"] == "true"
    assert InsuranceFiling.objects.count() == 2

    # Without the key, the hospital references make a resend harmless too.
    again = client.post(URL + "batch/", {"filings": items[:2]}, format="json").json()
    assert [r["result"] for r in again["results"]] == ["duplicate", "duplicate"]
    assert InsuranceFiling.objects.count() == 2


def test_a_batch_of_501_is_refused(ins, api_as):
    response = api_as(ins.user("wuxi-hospital")).post(URL + "batch/", {"filings": [filing_data()] * 501}, format="json")
    assert response.status_code == 400
    assert "filings" in response.json()["error"]["details"]
    assert not InsuranceFiling.objects.exists()


def test_the_icd10_lookup_finds_codes_and_names(ins, api_as):
    client = api_as(ins.user("wuxi-hospital"))
    codes = [row["code"] for row in client.get(URL + "diagnoses/", {"q": "U07"}).json()]
    assert codes == ["U07.1", "U07.2"]
    assert client.get(URL + "diagnoses/", {"q": "肺炎"}).json()


def test_unmask_is_recorded_and_only_for_holders_of_the_permission(ins, api_as, file_filing):
    filing = file_filing()
    centre = api_as(ins.user("sh-insurance"))
    without_reason = centre.post(f"{URL}{filing.pk}/unmask/")
    assert without_reason.status_code == 400 and "reason" in without_reason.json()["error"]["details"]
    response = centre.post(f"{URL}{filing.pk}/unmask/", {"reason": "核对参保人身份"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"id_number": ID_NUMBER, "phone": "13800138000"}
    [unmasked] = personal_data_accesses(filing).filter(action="unmask")
    assert unmasked.reason == "核对参保人身份"
    junior = api_as(ins.user("sh-insurance-junior"))
    assert junior.post(f"{URL}{filing.pk}/unmask/", {"reason": "x"}, format="json").status_code == 403
    assert ID_NUMBER not in junior.get(f"{URL}{filing.pk}/").content.decode()


def test_every_opening_of_a_filing_is_recorded(ins, api_as, file_filing):
    filing = file_filing()
    api_as(ins.user("sh-insurance")).get(f"{URL}{filing.pk}/")
    api_as(ins.user("wuxi-hospital")).get(f"{URL}{filing.pk}/")
    assert personal_data_accesses(filing).filter(action="open").count() == 2


def test_the_centres_queue_is_sorted_by_deadline_and_filters(ins, api_as, file_filing):
    from coordination.pii.idcard import with_check_character

    routine = file_filing(filing_type="referral", diagnosis="C34.9")
    urgent = file_filing(id_number=with_check_character("31010119900215235"), birth_date="1990-02-15")
    client = api_as(ins.user("sh-insurance"))
    rows = client.get(URL, {"queue": 1}).json()["results"]
    assert [r["id"] for r in rows] == [urgent.pk, routine.pk]
    rows = client.get(URL, {"queue": 1, "filing_type": "referral"}).json()["results"]
    assert [r["id"] for r in rows] == [routine.pk]
    rows = client.get(URL, {"queue": 1, "diagnosis": "u07.1"}).json()["results"]
    assert [r["id"] for r in rows] == [urgent.pk]


def test_lists_cost_a_fixed_number_of_queries(ins, api_as, file_filing, django_assert_max_num_queries):
    from coordination.pii.idcard import with_check_character

    client = api_as(ins.user("sh-insurance"))
    file_filing()
    with django_assert_max_num_queries(12) as small:
        client.get(URL, {"queue": 1})
    for n in range(5):
        file_filing(
            id_number=with_check_character(f"3101011990021{n}234"[:17]), birth_date="1990-02-1" + str(n), sex="female"
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(URL, {"queue": 1}).json()["results"]) == 6
