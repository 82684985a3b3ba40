"""The leaders' briefing: who may read it, its figures, its JSON, and its registry of panels."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from coordination import briefing
from coordination.briefing.core import cases_figures
from coordination.briefing.service import briefing_scope_for
from coordination.mechanisms.measure_notices.briefing import acknowledgement_figures, measures_in_force_figures
from coordination.workflow.deadlines import deadlines_check
from tests.pages.conftest import fire

API = "/api/v1/briefing/"


@pytest.mark.parametrize(
    ("username", "status"),
    [("yrd-leader", 200), ("sh-leader", 200), ("js-liaison", 403), ("yrd-office", 403), ("wuxi-hospital", 403)],
)
def test_only_leaders_may_read_the_briefing(client, api_as, demo, username, status):
    client.force_login(demo.user(username))
    assert client.get("/briefing/").status_code == status
    assert api_as(demo.user(username)).get(API).status_code == status


def test_a_signed_out_visitor_is_sent_to_sign_in_and_the_api_answers_401(client, api, demo):
    assert client.get("/briefing/").status_code == 302
    assert api.get(API).status_code == 401


def test_the_offices_leader_sees_four_regions_and_a_regional_leader_one(demo):
    assert briefing_scope_for(demo.user("yrd-leader")).region_codes == ("310000", "320000", "330000", "340000")
    assert briefing_scope_for(demo.user("sh-leader")).region_codes == ("310000",)


def test_cases_are_counted_open_new_today_and_overdue_per_mechanism(demo, make_sheet, make_notice):
    # At local noon: "an hour later" stays the same day whenever the suite runs (not so at 23:30).
    noon = timezone.make_aware(datetime.combine(timezone.localdate(), time(12)))
    with time_machine.travel(noon, tick=True):
        _count_cases(demo, make_sheet, make_notice)


def _count_cases(demo, make_sheet, make_notice):
    make_sheet(by="js-liaison", to="sh-liaison")
    closed = make_notice(by="js-liaison")
    for office in ("sh-liaison", "zj-liaison", "ah-liaison", "yrd-office"):
        fire(closed, "acknowledge", demo.user(office))
    make_sheet(by="zj-liaison", to="ah-liaison", time_limit=timedelta(minutes=30))
    scope = briefing_scope_for(demo.user("yrd-leader"), now=timezone.now() + timedelta(hours=1))
    figures = cases_figures(scope)
    m3 = next(row for row in figures["rows"] if row[0] == "M3")
    assert m3[2:] == [2, 3, 1]  # two open, three created today, one overdue
    regional = cases_figures(briefing_scope_for(demo.user("sh-leader")))
    assert next(row for row in regional["rows"] if row[0] == "M3")[2:] == [1, 2, 0]


def test_acknowledgement_rate_and_median_minutes_per_region_pair(demo, make_notice):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = make_notice(by="js-liaison")
        second = make_notice(by="js-liaison")
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        fire(first, "acknowledge", demo.user("sh-liaison"))
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        fire(second, "acknowledge", demo.user("sh-liaison"))
        fire(second, "acknowledge", demo.user("zj-liaison"))
    figures = acknowledgement_figures(briefing_scope_for(demo.user("yrd-leader")))
    rows = {(row[0], row[1]): row[2:] for row in figures["rows"]}
    assert rows[("江苏省", "上海市")] == [2, 2, 100.0, 20]
    assert rows[("江苏省", "浙江省")] == [2, 1, 50.0, 30]
    assert rows[("江苏省", "安徽省")] == [2, 0, 0.0, None]
    assert len(figures["chart"]["series"][0]["data"]) == len(figures["rows"])


def test_measures_in_force_today_are_counted_by_category_and_region(demo, make_notice):
    today = timezone.localdate()
    make_notice(by="js-liaison", category="traffic_control")
    make_notice(by="sh-liaison", category="traffic_control", effective_from=today + timedelta(days=2))
    make_notice(
        by="zj-liaison",
        category="schools",
        effective_until=today - timedelta(days=1),
        effective_from=today - timedelta(days=5),
    )
    figures = measures_in_force_figures(briefing_scope_for(demo.user("yrd-leader")))
    assert figures["total"] == 1
    assert [row[1:] for row in figures["rows"]] == [[0, 1, 0, 0, 1]]  # Jiangsu, then the total


def test_an_escalated_case_waits_on_the_dashboard_until_someone_acts(client, demo, make_sheet):
    sheet = make_sheet(by="js-liaison", to="sh-liaison", time_limit=timedelta(minutes=30))
    later = timezone.now() + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        deadlines_check()
        deadlines_check()
        client.force_login(demo.user("yrd-leader"))
        body = client.get(API).json()
    escalations = next(p for p in body["panels"] if p["key"] == "escalations")["data"]
    assert escalations["total"] == 1 and escalations["rows"][0][0] == "M3"
    fire(sheet, "accept", demo.user("sh-liaison"))
    body = client.get(API).json()
    assert next(p for p in body["panels"] if p["key"] == "escalations")["data"]["total"] == 0


def test_the_json_holds_aggregates_only(api_as, demo, make_sheet, make_notice):
    make_sheet(title="张三的隔离情况核查")
    make_notice(contact_officer="李四 13800000000")
    body = api_as(demo.user("yrd-leader")).get(API).json()
    text = str(body)
    assert "张三" not in text and "李四" not in text and "js-liaison" not in text
    assert {"cases", "acknowledgements", "measures_in_force", "escalations"} <= {p["key"] for p in body["panels"]}
    assert body["regions"] == ["310000", "320000", "330000", "340000"]


def test_a_registered_panel_appears_on_the_page_and_in_the_json(client, demo):
    panel = briefing.Panel(
        key="test_panel",
        title="Test panel",
        order=99,
        compute=lambda scope: {"columns": ["Region", "N"], "rows": [[r, 1] for r in scope.region_codes]},
        template="briefing/panels/table_chart.html",
    )
    briefing.register(panel)
    try:
        client.force_login(demo.user("sh-leader"))
        page = client.get("/briefing/").content.decode()
        assert 'id="panel-test_panel"' in page and "310000" in page
        body = client.get(API).json()
        assert next(p for p in body["panels"] if p["key"] == "test_panel")["data"]["rows"] == [["310000", 1]]
    finally:
        briefing._panels.pop("test_panel")


def test_the_page_draws_charts_with_table_views_and_listens_for_notices(client, demo, make_sheet):
    make_sheet()
    client.force_login(demo.user("yrd-leader"))
    page = client.get("/briefing/").content.decode()
    assert "vendor/echarts-6.1.0.min.js" in page and 'data-chart="chart-cases"' in page
    assert 'id="chart-cases" type="application/json"' in page
    assert page.count("<details") >= 1 and 'hx-trigger="yrd:notice from:document' in page
    fragment = client.get("/briefing/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'data-stat="overdue"' in fragment
