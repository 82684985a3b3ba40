"""Registers: filtered lists of what the user may see, exported to CSV and XLSX."""

import csv
import io
from datetime import date, datetime, timedelta

from django.utils import timezone
from openpyxl import load_workbook

from tests.pages.conftest import fire

NOTICES = "/registers/measure-notices/"
SHEETS = "/registers/assignment-sheets/"


def test_a_register_lists_only_what_the_user_may_see(client, demo, make_sheet):
    mine = make_sheet(by="js-liaison", to="sh-liaison", title="苏沪冷链核查")
    other = make_sheet(by="zj-liaison", to="ah-liaison", title="浙皖物资调运")
    client.force_login(demo.user("sh-liaison"))
    page = client.get(SHEETS).content.decode()
    assert mine.reference in page and other.reference not in page
    client.force_login(demo.user("yrd-office"))
    page = client.get(SHEETS).content.decode()
    assert mine.reference in page and other.reference in page


def test_registers_filter_by_state_region_and_category(client, demo, make_sheet, make_notice):
    accepted = make_sheet(by="js-liaison", to="sh-liaison")
    fire(accepted, "accept", demo.user("sh-liaison"))
    submitted = make_sheet(by="zj-liaison", to="ah-liaison")
    client.force_login(demo.user("yrd-office"))
    page = client.get(SHEETS, {"state": "accepted"}).content.decode()
    assert accepted.reference in page and submitted.reference not in page
    page = client.get(SHEETS, {"region": "340000"}).content.decode()
    assert submitted.reference in page and accepted.reference not in page
    traffic = make_notice(category="traffic_control")
    schools = make_notice(category="schools", title="学校延期开学")
    page = client.get(NOTICES, {"category": "schools"}).content.decode()
    assert schools.reference in page and traffic.reference not in page
    page = client.get(SHEETS, {"state": "nonsense"}).content.decode()
    assert accepted.reference in page and submitted.reference in page


def test_notices_filter_by_the_day_they_are_in_force(client, demo, make_notice):
    today = date.today()
    current = make_notice(effective_from=today - timedelta(days=3), effective_until=today + timedelta(days=3))
    ended = make_notice(effective_from=today - timedelta(days=20), effective_until=today - timedelta(days=10))
    withdrawn = make_notice(effective_from=today - timedelta(days=1))
    fire(withdrawn, "withdraw", demo.user("js-liaison"), reason="撤回")
    client.force_login(demo.user("sh-liaison"))
    page = client.get(NOTICES, {"in_force_on": today.isoformat()}).content.decode()
    assert current.reference in page and ended.reference not in page and withdrawn.reference not in page
    page = client.get(NOTICES, {"in_force_on": (today - timedelta(days=15)).isoformat()}).content.decode()
    assert ended.reference in page and current.reference not in page
    bad = client.get(NOTICES, {"in_force_on": "2026-13-40"}).content.decode()
    assert "field-error" in bad and 'value="2026-13-40"' in bad


def test_the_csv_export_has_chinese_headers_and_respects_visibility(client, demo, make_sheet):
    mine = make_sheet(by="js-liaison", to="sh-liaison", title='=HYPERLINK("http://x")')
    other = make_sheet(by="zj-liaison", to="ah-liaison")
    client.force_login(demo.user("sh-liaison"))
    response = client.get(SHEETS, {"format": "csv"})
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][1:5] == ["标题", "机制", "发起单位", "状态"]  # the user's language: Chinese by default
    references = [row[0] for row in rows[1:]]
    assert references == [mine.reference] and other.reference not in text
    assert rows[1][1].startswith("'=")  # never a live formula in a spreadsheet


def test_the_xlsx_export_opens_with_headers_dates_and_text_cells(client, demo, make_notice):
    notice = make_notice(title="=1+1")
    client.force_login(demo.user("sh-liaison"))
    response = client.get(NOTICES, {"format": "xlsx"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][0] == notice.reference and rows[1][1] == "=1+1"
    assert rows[0][1] == "标题"
    assert isinstance(rows[1][5], datetime) and rows[1][5].date() == timezone.localdate()  # a real date cell
    assert rows[1][8] == timezone.localdate().isoformat() or rows[1][8].date() == timezone.localdate()


def test_exports_follow_the_filters(client, demo, make_sheet):
    accepted = make_sheet()
    fire(accepted, "accept", demo.user("sh-liaison"))
    make_sheet()
    client.force_login(demo.user("sh-liaison"))
    text = b"".join(client.get(SHEETS, {"state": "accepted", "format": "csv"}).streaming_content).decode()
    assert text.count("\n") == 2 and accepted.reference in text


def test_an_unknown_register_is_404_and_a_signed_out_user_is_sent_to_sign_in(client, demo):
    assert client.get(SHEETS).status_code == 302
    client.force_login(demo.user("sh-liaison"))
    assert client.get("/registers/nothing/").status_code == 404


def test_a_register_page_costs_the_same_queries_at_two_sizes(client, demo, make_sheet, django_assert_max_num_queries):
    client.force_login(demo.user("yrd-office"))
    make_sheet()
    with django_assert_max_num_queries(12):
        client.get(SHEETS)
    for _ in range(12):
        make_sheet()
    with django_assert_max_num_queries(12):
        client.get(SHEETS)
    with django_assert_max_num_queries(12):
        b"".join(client.get(SHEETS, {"format": "csv"}).streaming_content)
