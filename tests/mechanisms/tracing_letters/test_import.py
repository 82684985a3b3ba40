"""Importing a letter's persons from CSV or XLSX: a row-by-row report, nothing half-imported,
GBK and UTF-8 with or without BOM, formulas refused, the template to download."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from coordination.mechanisms.tracing_letters.models import TracedPerson, TracingLetter
from coordination.pii.idcard import with_check_character
from tests.mechanisms.tracing_letters.conftest import HEADER, ID_1, ID_2, ID_3, URL, csv_bytes, letter_data, row

BAD_CHECK_DIGIT = ID_3[:-1] + ("0" if ID_3[-1] != "0" else "1")


def upload(client, content: bytes, name="persons.csv", **fields):
    data = {key: value for key, value in letter_data(**fields).items() if key != "persons"}
    data["file"] = SimpleUploadedFile(name, content)
    return client.post(URL, data, format="multipart")


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def sender(m1, api_as):
    return api_as(m1.user("sh-liaison"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_csv_imports_in_utf8_with_or_without_bom_and_in_gbk(sender, encoding):
    content = csv_bytes([row(ID_1), row(ID_2, name="李秀英")], encoding=encoding)
    response = upload(sender, content)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["person_count"] == 2 and [p["name"] for p in body["persons"]] == ["王建国", "李秀英"]
    assert body["persons"][0]["city"] == "340100" and body["persons"][0]["relation"] == "fellow_passenger"
    assert body["import_report"] == {"rows": 2, "valid": 2, "invalid": 0, "errors": []}


def test_an_xlsx_imports_with_dates_and_numbers_as_excel_types_them(sender):
    from datetime import datetime

    content = xlsx_bytes(
        [["王建国", "居民身份证", ID_1, 13800000001, "合肥市", "340100", "同乘", datetime(2020, 1, 25), "G7192"]]
    )
    response = upload(sender, content, name="persons.xlsx")
    assert response.status_code == 201, response.json()
    [p] = response.json()["persons"]
    assert p["exposure_date"] == "2020-01-25" and p["phone"] == "138****0001"


def test_bad_rows_import_nothing_and_are_reported_row_by_row(sender):
    rows = [row(ID_1), row(BAD_CHECK_DIGIT), row(ID_1, name="重复"), row(ID_2, exposure_date="2999-01-01")]
    response = upload(sender, csv_bytes(rows))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_rows"
    report = {r["row"]: [e["code"] for e in r["errors"]] for r in error["details"]["errors"]}
    assert report == {3: ["invalid_check_digit"], 4: ["duplicate"], 5: ["future_date"]}
    assert error["details"]["rows"] == 4 and error["details"]["valid"] == 1
    assert BAD_CHECK_DIGIT not in response.content.decode()
    assert not TracingLetter.objects.exists() and not TracedPerson.objects.exists()


def test_the_sender_may_choose_to_import_only_the_valid_rows(sender):
    rows = [row(ID_1), row(BAD_CHECK_DIGIT), row(ID_2)]
    response = upload(sender, csv_bytes(rows), import_mode="valid_rows")
    assert response.status_code == 201
    body = response.json()
    assert body["person_count"] == 2 and body["import_report"]["invalid"] == 1
    assert body["import_report"]["errors"][0]["row"] == 3


def test_a_file_of_only_bad_rows_imports_nothing_even_when_valid_rows_are_asked_for(sender):
    response = upload(sender, csv_bytes([row(BAD_CHECK_DIGIT)]), import_mode="valid_rows")
    assert response.status_code == 422 and not TracingLetter.objects.exists()


@pytest.mark.parametrize("cell", ["=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3"])
def test_formula_cells_are_refused_never_run(sender, cell):
    response = upload(sender, csv_bytes([row(ID_1, name=cell)]))
    assert response.status_code == 422
    [bad] = response.json()["error"]["details"]["errors"]
    assert bad["errors"] == [{"field": "name", "code": "formula", "message": bad["errors"][0]["message"]}]


def test_formulas_in_a_workbook_are_refused_as_their_text_never_computed(sender):
    content = xlsx_bytes(
        [['=HYPERLINK("http://x","a")', "居民身份证", ID_1, "13800000001", "", "合肥", "同乘", "2020-01-25", "=1+1"]]
    )
    response = upload(sender, content, name="persons.xlsx")
    assert response.status_code == 422
    [bad] = response.json()["error"]["details"]["errors"]
    assert {e["field"] for e in bad["errors"]} == {"name", "exposure_place"}


def test_a_phone_with_its_country_code_is_no_formula(sender):
    response = upload(sender, csv_bytes([row(ID_1, phone="+86 13800000001")]))
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        (["name", "id", "phone"], True),
        ([*HEADER[:-1], "备注"], True),
        (["姓名", "证件号码", "所在城市", "与病例关系", "接触日期", "接触地点", "颜色"], False),
    ],
)
def test_wrong_headers_are_a_422_naming_the_columns(sender, header, missing):
    response = upload(sender, csv_bytes([["a"] * len(header)], header=header))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "bad_headers"
    assert bool(error["details"]["missing"]) == missing and error["details"]["expected"] == HEADER


def test_english_headers_and_missing_optional_columns_are_fine(sender):
    header = ["name", "id_number", "city", "relation", "exposure_date", "exposure_place"]
    response = upload(sender, csv_bytes([["王建国", ID_1, "Hefei", "family", "2020-01-25", "家中"]], header=header))
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"\n\n", "no_persons"),
        ("姓名,证件号码\n".encode() + b"\xff\xfe\x00\x00\x81", "bad_encoding"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "unsupported_file"),
        (b"PK\x03\x04not a zip", "unsupported_file"),
        (",".join(HEADER).encode() + b"\n", "no_persons"),
    ],
)
def test_unreadable_files_are_a_422_with_a_code(sender, content, code):
    response = upload(sender, content)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == code
    assert not TracingLetter.objects.exists()


def test_an_empty_file_is_a_400_on_the_file_field(sender):
    response = upload(sender, b"")
    assert response.status_code == 400 and "file" in response.json()["error"]["details"]


def test_a_file_of_100000_rows_is_refused_whole(sender, settings):
    settings.TRACING_LETTER_MAX_IMPORT_BYTES = 64 * 1024 * 1024
    line = ",".join(row(ID_1)) + "\n"
    content = (",".join(HEADER) + "\n" + line * 100_000).encode()
    response = upload(sender, content)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "too_many_rows"
    assert not TracedPerson.objects.exists()


def test_a_file_too_large_is_refused_before_it_is_read(sender, settings):
    settings.TRACING_LETTER_MAX_IMPORT_BYTES = 1024
    content = csv_bytes([row(with_check_character(f"3401041975031210{i % 10}")) for i in range(50)])
    response = upload(sender, content)
    assert response.status_code == 422 and response.json()["error"]["code"] == "file_too_large"


def test_import_check_reports_without_creating(sender):
    data = {
        "addressee": "ah-liaison",
        "file": SimpleUploadedFile("p.csv", csv_bytes([row(ID_1), row(BAD_CHECK_DIGIT)])),
    }
    response = sender.post(URL + "import-check/", data, format="multipart")
    assert response.status_code == 200
    assert response.json()["valid"] == 1 and response.json()["errors"][0]["row"] == 3
    assert not TracingLetter.objects.exists()


def test_only_those_who_may_send_may_check_an_import(m1, api_as):
    data = {"addressee": "ah-liaison", "file": SimpleUploadedFile("p.csv", csv_bytes([row(ID_1)]))}
    assert api_as(m1.user("wuxi-hospital")).post(URL + "import-check/", data, format="multipart").status_code == 403


def test_the_templates_download_and_import_back(sender):
    csv_template = sender.get(URL + "import-template/?type=csv")
    assert csv_template.status_code == 200 and csv_template.content.startswith(b"\xef\xbb\xbf")
    xlsx_template = sender.get(URL + "import-template/?type=xlsx")
    assert xlsx_template.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx_template.content)).active
    assert [c.value for c in sheet[1]] == HEADER
    assert sender.get(URL + "import-template/?type=pdf").status_code == 400
    # The template's example row is a valid person of Anhui.
    assert upload(sender, csv_template.content).status_code == 201


def test_the_persons_export_escapes_formulas(send, api_as, m1):
    from coordination.mechanisms.tracing_letters.models import TracedPerson

    letter = send()
    TracedPerson.objects.filter(letter=letter, number=1).update(name="=cmd|' /C calc'!A0")
    response = api_as(m1.user("sh-liaison")).get(f"{URL}{letter.pk}/persons/csv/")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'=cmd" in text and "\n=cmd" not in text and ",=cmd" not in text
    assert ID_1 not in text


def test_a_cell_past_the_csv_limit_is_a_422_not_a_500(sender):
    content = (",".join(HEADER) + "\n" + '"' + "x" * 200_000 + '",' + ",".join(row(ID_1)[1:]) + "\n").encode()
    response = upload(sender, content)
    assert response.status_code == 422


def test_a_damaged_workbook_is_a_422(sender):
    good = xlsx_bytes([row(ID_1)])
    response = upload(sender, good[: len(good) // 2], name="persons.xlsx")
    assert response.status_code == 422 and response.json()["error"]["code"] == "unsupported_file"
