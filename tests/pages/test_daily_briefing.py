"""The daily briefing PDF (每日简报): through the circulars' render service, at 08:00 and on demand."""

import re
import subprocess

import pytest
from celery.schedules import crontab
from django.conf import settings

from coordination.briefing.daily import bar_chart_svg, daily_briefings_issue


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "briefing.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def test_beat_issues_the_daily_briefing_at_eight_shanghai_time():
    entry = settings.CELERY_BEAT_SCHEDULE["daily-briefings"]
    assert entry["task"] == "coordination.briefing.tasks.issue_daily_briefings"
    assert entry["schedule"] == crontab(hour=8, minute=0)
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    assert "coordination.briefing.tasks" in settings.CELERY_IMPORTS


@pytest.mark.slow
def test_a_leader_gets_the_pdf_on_demand_with_the_figures(client, demo, make_sheet, tmp_path):
    make_sheet(by="js-liaison", to="sh-liaison")
    client.force_login(demo.user("yrd-leader"))
    response = client.get("/briefing/daily.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "长三角联防联控每日简报" in text and "上海市、江苏省、浙江省、安徽省" in text
    assert re.search(r"—\s*1\s*—", text)  # the official documents' page numbers
    client.force_login(demo.user("js-liaison"))
    assert client.get("/briefing/daily.pdf").status_code == 403


@pytest.mark.slow
def test_the_morning_run_stores_one_briefing_per_leading_group_and_the_office(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    issued = daily_briefings_issue()
    keys = [b.scope_key for b in issued]
    assert keys[0] == "yrd" and "310000" in keys
    for briefing in issued:
        stored = (tmp_path / briefing.path).read_bytes()
        assert stored.startswith(b"%PDF") and briefing.pages >= 1
        assert (tmp_path / (briefing.path + ".sha256")).read_text() == briefing.sha256


def test_charts_in_the_pdf_are_svg_bars_with_escaped_labels():
    svg = bar_chart_svg(["M3", "<M7>"], [("开放", [2, 0]), ("逾期", [1, 1])])
    assert svg.startswith("<svg") and "&lt;M7&gt;" in svg and svg.count("<rect") == 6
    assert bar_chart_svg([], []) == ""
