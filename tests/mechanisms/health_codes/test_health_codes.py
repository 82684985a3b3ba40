"""F1 health-code mutual recognition: a region's daily red/yellow list uploaded as CSV (UTF-8,
BOM, GBK) or an API batch — all rows or none, idempotent per day, superseded by new content;
lookups from each region's latest list by keyed hash only; status tokens signed by the region
and verified with the latest lists; counts for the briefing."""

import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from coordination.mechanisms.health_codes.lookups import colour_of
from coordination.mechanisms.health_codes.models import CodeList, CodeListEntry, VerificationCount
from coordination.pii import idcard

pytestmark = pytest.mark.django_db

PEOPLE = [idcard.with_check_character(f"31010119900101{n:03d}") for n in range(1, 7)]
BAD_CHECK = PEOPLE[0][:-1] + ("0" if PEOPLE[0][-1] != "0" else "1")


@pytest.fixture
def shanghai(demo, api_as):
    return api_as(demo.user("sh-liaison"))


def csv_file(rows, *, encoding="utf-8", header="id_number,colour", name="list.csv"):
    text = "\n".join([header, *[f"{number},{colour}" for number, colour in rows]]) + "\n"
    upload = io.BytesIO(text.encode(encoding))
    upload.name = name
    return upload


def upload(client, rows, *, day=None, status=201, skip=False, **kwargs):
    body = {"list_date": (day or timezone.localdate()).isoformat(), "file": csv_file(rows, **kwargs)}
    if skip:
        body["skip_invalid"] = "true"
    response = client.post("/api/v1/health-codes/lists/", body, format="multipart")
    assert response.status_code == status, response.content
    return response.json()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_csv_list_in_any_of_the_encodings_loads(shanghai, encoding):
    report = upload(shanghai, [(PEOPLE[0], "红"), (PEOPLE[1], "yellow")], encoding=encoding, header="身份证号,码色")
    assert (report["records"], report["red"], report["yellow"], report["region"]) == (2, 1, 1, "310000")
    assert colour_of(PEOPLE[0]).colour == "red" and colour_of(PEOPLE[1]).colour == "yellow"
    assert colour_of(PEOPLE[2]).colour == "green"


def test_no_clear_id_number_is_stored(shanghai):
    upload(shanghai, [(PEOPLE[0], "red")])
    stored = b"".join(bytes(row.digest) + row.colour.encode() for row in CodeListEntry.objects.all())
    assert PEOPLE[0].encode() not in stored and len(bytes(CodeListEntry.objects.get().digest)) == 16


def test_a_list_with_bad_rows_loads_nothing_and_reports_them(shanghai):
    body = upload(
        shanghai,
        [(PEOPLE[0], "red"), (BAD_CHECK, "red"), (PEOPLE[1], "blue"), ("=cmd|' /C calc'!A0", "red")],
        status=400,
    )
    assert body["error"]["code"] == "invalid_rows"
    rows = body["error"]["details"]["rows"]
    assert [(row["row"], row["field"]) for row in rows] == [(3, "id_number"), (4, "colour"), (5, "id_number")]
    assert not CodeList.objects.exists() and not CodeListEntry.objects.exists()
    # Unless the uploader asks for the valid rows.
    report = upload(shanghai, [(PEOPLE[0], "red"), (BAD_CHECK, "red")], skip=True)
    assert (report["records"], report["skipped"]) == (1, 1)


def test_repeated_numbers_keep_the_more_severe_colour(shanghai):
    report = upload(shanghai, [(PEOPLE[0], "yellow"), (PEOPLE[0], "red"), (PEOPLE[0], "yellow")])
    assert (report["records"], report["duplicates"], report["red"]) == (1, 2, 1)
    assert colour_of(PEOPLE[0]).colour == "red"


def test_the_same_list_again_changes_nothing_and_new_content_supersedes(shanghai):
    first = upload(shanghai, [(PEOPLE[0], "red")])
    again = upload(shanghai, [(PEOPLE[0], "red")], status=200)
    assert again["id"] == first["id"] and again["created"] is False
    newer = upload(shanghai, [(PEOPLE[1], "yellow")])
    assert newer["superseded"] == [first["id"]]
    assert colour_of(PEOPLE[0]).colour == "green" and colour_of(PEOPLE[1]).colour == "yellow"


def test_each_region_answers_from_its_latest_list(shanghai, demo, api_as):
    today = timezone.localdate()
    upload(shanghai, [(PEOPLE[0], "red")], day=today - timedelta(days=1))
    upload(shanghai, [(PEOPLE[0], "yellow")], day=today)
    upload(api_as(demo.user("js-liaison")), [(PEOPLE[0], "yellow"), (PEOPLE[1], "red")])
    lookup = colour_of(PEOPLE[0])
    assert lookup.colour == "yellow"
    assert sorted((ref.region, colour) for ref, colour in lookup.listed) == [("310000", "yellow"), ("320000", "yellow")]
    assert colour_of(PEOPLE[1]).colour == "red"


@pytest.mark.parametrize(
    ("header", "body"),
    [
        ("name,phone", None),
        ("id_number,colour", "not,a,date"),
    ],
)
def test_wrong_headers_and_bad_fields_are_400s(shanghai, header, body):
    data = {
        "list_date": body or timezone.localdate().isoformat(),
        "file": csv_file([(PEOPLE[0], "red")], header=header),
    }
    response = shanghai.post("/api/v1/health-codes/lists/", data, format="multipart")
    assert response.status_code == 400
    assert not CodeList.objects.exists()


def test_an_api_batch_and_its_bad_input(shanghai):
    day = timezone.localdate().isoformat()
    ok = shanghai.post(
        "/api/v1/health-codes/lists/",
        {"list_date": day, "entries": [{"id_number": PEOPLE[0], "colour": "red"}]},
        format="json",
    )
    assert ok.status_code == 201 and ok.json()["records"] == 1
    for body in (
        {"list_date": day},
        {"list_date": "0001-01-01", "entries": [{"id_number": PEOPLE[0], "colour": "red"}]},
        {"list_date": day, "entries": [1, "x", None]},
        {"list_date": day, "entries": [], "extra": 1},
        {"list_date": day, "entries": [{"id_number": "\x00", "colour": "red"}]},
    ):
        assert shanghai.post("/api/v1/health-codes/lists/", body, format="json").status_code == 400, body


def test_only_a_regions_keepers_upload_and_members_look_up(demo, api_as):
    hospital = api_as(demo.user("wuxi-hospital"))
    day = timezone.localdate().isoformat()
    body = {"list_date": day, "entries": [{"id_number": PEOPLE[0], "colour": "red"}]}
    assert hospital.post("/api/v1/health-codes/lists/", body, format="json").status_code == 403
    response = hospital.post("/api/v1/health-codes/lookup/", {"id_number": PEOPLE[0]}, format="json")
    assert response.status_code == 200 and response.json()["colour"] == "green"
    assert PEOPLE[0] not in json.dumps(response.json())
    assert hospital.post("/api/v1/health-codes/lookup/", {"id_number": BAD_CHECK}, format="json").status_code == 400
    from rest_framework.test import APIClient

    assert APIClient().post("/api/v1/health-codes/lookup/", {"id_number": PEOPLE[0]}, format="json").status_code in (
        401,
        403,
    )


def test_a_status_token_verifies_with_the_latest_lists_and_is_counted(shanghai, demo, api_as):
    token = shanghai.post(
        "/api/v1/health-codes/tokens/", {"id_number": PEOPLE[0], "name": "张伟", "colour": "green"}, format="json"
    )
    assert token.status_code == 201, token.json()
    credential = token.json()["credential"]
    assert PEOPLE[0] not in credential and PEOPLE[0] not in json.dumps(token.json())
    zhejiang = api_as(demo.user("zj-liaison"))
    checked = zhejiang.post("/api/v1/credentials/verify/", {"credential": credential}, format="json").json()
    assert (checked["result"], checked["kind"], checked["checks"]["colour"]) == ("valid", "F1", "green")
    # Jiangsu lists the person red afterwards: the same token now answers red, and says why.
    upload(api_as(demo.user("js-liaison")), [(PEOPLE[0], "red")])
    checked = zhejiang.post("/api/v1/credentials/verify/", {"credential": credential}, format="json").json()
    assert (checked["checks"]["colour"], checked["checks"]["token_colour"], checked["checks"]["stale"]) == (
        "red",
        "green",
        True,
    )
    counted = VerificationCount.objects.get(issuer_region="310000", verifier_region="330000", result="valid")
    assert counted.count == 2


def test_token_input_is_checked(shanghai, demo, api_as):
    for body in (
        {"id_number": BAD_CHECK, "name": "张伟", "colour": "green"},
        {"id_number": PEOPLE[0], "name": "张伟", "colour": "purple"},
        {"id_number": PEOPLE[0], "name": "", "colour": "green"},
        {"id_number": PEOPLE[0], "name": "张伟", "colour": "green", "valid_hours": 10_000},
        {"id_number": PEOPLE[0], "name": "张伟", "colour": "green", "unknown": 1},
    ):
        assert shanghai.post("/api/v1/health-codes/tokens/", body, format="json").status_code == 400, body
    hospital = api_as(demo.user("wuxi-hospital"))
    body = {"id_number": PEOPLE[0], "name": "张伟", "colour": "green"}
    assert hospital.post("/api/v1/health-codes/tokens/", body, format="json").status_code == 403


def test_the_page_looks_up_and_uploads(client, demo):
    client.force_login(demo.user("sh-liaison"))
    assert client.get("/health-codes/").status_code == 200
    page = client.post(
        "/health-codes/",
        {"upload": "1", "list_date": timezone.localdate().isoformat(), "file": csv_file([(PEOPLE[0], "red")])},
    )
    assert page.status_code == 200 and CodeList.objects.count() == 1
    page = client.post("/health-codes/", {"lookup": "1", "id_number": PEOPLE[0]})
    body = page.content.decode()
    assert "verdict-bad" in body and PEOPLE[0] not in body
    bad = client.post(
        "/health-codes/",
        {"upload": "1", "list_date": timezone.localdate().isoformat(), "file": csv_file([], header="x,y")},
    )
    assert bad.status_code == 422


def test_a_file_without_its_header_row_is_refused_without_echoing_numbers(shanghai):
    upload_file = io.BytesIO(f"{PEOPLE[0]},13812345678\n{PEOPLE[1]},red\n".encode())
    upload_file.name = "list.csv"
    response = shanghai.post(
        "/api/v1/health-codes/lists/",
        {"list_date": timezone.localdate().isoformat(), "file": upload_file},
        format="multipart",
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "wrong_headers"
    body = response.content.decode()
    assert PEOPLE[0] not in body and "13812345678" not in body


def test_the_page_refuses_a_list_dated_in_the_future(client, demo):
    client.force_login(demo.user("sh-liaison"))
    page = client.post(
        "/health-codes/", {"upload": "1", "list_date": "9999-12-31", "file": csv_file([(PEOPLE[0], "red")])}
    )
    assert page.status_code == 422 and not CodeList.objects.exists()
