"""The briefing served from snapshots: current ones without touching the cases, stale ones while
one refresh is queued, lagging ones recomputed in the request; per scope and language, and never
a name."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

from coordination import briefing
from coordination.briefing import tasks
from coordination.briefing.snapshots import (
    briefing_refreshed,
    briefing_snapshots_refresh_stale,
)
from coordination.models import BriefingSnapshot

API = "/api/v1/briefing/"
CASE_TABLES = (
    "assignment_sheets_assignmentsheet",
    "measure_notices_measurenotice",
    "insurance_insurancefiling",
    "coordination_participant",
)


@pytest.fixture
def lagging_allowed(settings):
    """Production's setting: stale figures are served while a refresh is queued."""
    settings.BRIEFING_MAX_LAG_SECONDS = 30
    settings.BRIEFING_MAX_AGE_SECONDS = 60
    settings.BRIEFING_MIN_REFRESH_SECONDS = 5


@pytest.fixture
def queued(monkeypatch):
    """The refreshes handed to Celery: (scope_key, language, countdown)."""
    calls = []
    monkeypatch.setattr(
        tasks.refresh_briefing_snapshot,
        "apply_async",
        lambda args, **kwargs: calls.append((*args, kwargs.get("countdown"))),
    )
    return calls


@pytest.fixture
def leader(client, demo):
    def sign_in(username="yrd-leader"):
        client.force_login(demo.user(username))
        return client

    return sign_in


def open_cases(body) -> int:
    return next(p for p in body["panels"] if p["key"] == "cases")["data"]["totals"]["open"]


def case_table_queries(queries) -> list[str]:
    """Queries reading case tables, but for the header's one question of which mechanisms the
    user has cases in (coordination/navigation.py: EXISTS ... FROM coordination_membership)."""
    return [
        q["sql"]
        for q in queries
        if any(table in q["sql"] for table in CASE_TABLES) and 'FROM "coordination_membership"' not in q["sql"]
    ]


def test_a_current_snapshot_is_served_without_reading_the_cases(leader, make_sheet):
    make_sheet()
    client = leader()
    first = client.get(API).json()
    with CaptureQueriesContext(connection) as queries:
        second = client.get(API).json()
        page = client.get("/briefing/")
    assert case_table_queries(queries.captured_queries) == []
    assert second["panels"] == first["panels"] and second["generated_at"] == first["generated_at"]
    assert second["stale"] is False and open_cases(second) == 1
    with translation.override("zh-hans"):
        assert gettext("Figures as of") in page.content.decode()


def test_a_case_change_makes_it_stale_and_queues_exactly_one_refresh(
    leader, make_sheet, lagging_allowed, queued, django_capture_on_commit_callbacks
):
    client = leader()
    assert open_cases(client.get(API).json()) == 0
    make_sheet()
    with django_capture_on_commit_callbacks(execute=True):
        bodies = [client.get(API).json() for _ in range(3)]
        page = client.get("/briefing/").content.decode()
    assert [open_cases(body) for body in bodies] == [0, 0, 0]  # the stale figures, served at once
    assert all(body["stale"] for body in bodies) and "data-stale" in page
    assert [call[:2] for call in queued] == [("office", "zh-hans")]
    assert 0 <= queued[0][2] <= 5  # no sooner than BRIEFING_MIN_REFRESH_SECONDS after the last
    assert BriefingSnapshot.objects.get(scope_key="office").refreshing_since is not None


def test_a_queued_refresh_that_never_ran_is_queued_again_after_two_minutes(
    leader, make_sheet, lagging_allowed, settings, queued, django_capture_on_commit_callbacks
):
    settings.BRIEFING_MAX_LAG_SECONDS = 600
    settings.BRIEFING_MAX_AGE_SECONDS = 600
    client = leader()
    client.get(API)
    make_sheet()
    with django_capture_on_commit_callbacks(execute=True):
        client.get(API)
        with time_machine.travel(timezone.now() + timedelta(minutes=3)):
            client.get(API)
    assert len(queued) == 2


def test_figures_lagging_more_than_the_setting_are_computed_in_the_request(
    leader, make_sheet, lagging_allowed, queued, django_capture_on_commit_callbacks
):
    client = leader()
    client.get(API)
    make_sheet()
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(timezone.now() + timedelta(seconds=31)):
        body = client.get(API).json()
    assert open_cases(body) == 1 and body["stale"] is False
    assert queued == []


def test_an_old_snapshot_is_refreshed_even_without_a_change(
    leader, lagging_allowed, queued, django_capture_on_commit_callbacks
):
    """Cases fall overdue as time passes, which records no event."""
    client = leader()
    first = client.get(API).json()
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(timezone.now() + timedelta(seconds=70)):
            assert client.get(API).json()["stale"] is True  # 10 s over the age: served, refresh queued
        with time_machine.travel(timezone.now() + timedelta(seconds=95)):
            body = client.get(API).json()  # 35 s over: computed now
    assert [call[:2] for call in queued] == [("office", "zh-hans")]
    assert body["stale"] is False and body["generated_at"] > first["generated_at"]


def test_with_no_lag_allowed_the_figures_are_always_exact(leader, make_sheet):
    """The tests' setting (tests/conftest.py): every page shows every change."""
    client = leader()
    assert open_cases(client.get(API).json()) == 0
    make_sheet()
    assert open_cases(client.get(API).json()) == 1


def test_the_refresh_stores_new_figures_and_tells_the_scopes_leaders(
    leader, demo, make_sheet, monkeypatch, django_capture_on_commit_callbacks
):
    client = leader()
    client.get(API)
    make_sheet()
    told, rung = [], []
    briefing_refreshed.connect(lambda sender, **kwargs: told.append(kwargs), weak=False, dispatch_uid="test-told")
    monkeypatch.setattr("notices.briefing_bell.ring", rung.extend)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.refresh_briefing_snapshot("office", "zh-hans") is True
            assert tasks.refresh_briefing_snapshot("office", "zh-hans") is False  # current: nothing to do
    finally:
        briefing_refreshed.disconnect(dispatch_uid="test-told")
    snapshot = BriefingSnapshot.objects.get(scope_key="office", language="zh-hans")
    assert open_cases({"panels": snapshot.panels}) == 1 and snapshot.refreshing_since is None
    assert told == [{"signal": briefing_refreshed, "scope_key": "office", "language": "zh-hans"}]
    assert rung == [(f"notices.u.{demo.user('yrd-leader').pk}", {"type": "notices.briefing", "scope": "office"})]


def test_a_refresh_tells_a_regional_scope_only_its_own_leaders(demo, monkeypatch, django_capture_on_commit_callbacks):
    rung = []
    monkeypatch.setattr("notices.briefing_bell.ring", rung.extend)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.refresh_briefing_snapshot("310000", "zh-hans")
    assert [group for group, _message in rung] == [f"notices.u.{demo.user('sh-leader').pk}"]


def test_a_current_snapshot_is_not_recomputed_by_its_refresh(leader):
    leader().get(API)
    with CaptureQueriesContext(connection) as queries:
        assert tasks.refresh_briefing_snapshot("office", "zh-hans") is False
    assert case_table_queries(queries.captured_queries) == []


def test_each_language_has_its_own_snapshot(leader, api_as, demo):
    client = leader()
    client.get("/briefing/")
    client.cookies["django_language"] = "en"
    english_page = client.get("/briefing/").content.decode()
    english_json = api_as(demo.user("yrd-leader")).get(API, HTTP_ACCEPT_LANGUAGE="en").json()
    titles = {s.language: [p["title"] for p in s.panels] for s in BriefingSnapshot.objects.filter(scope_key="office")}
    assert set(titles) == {"zh-hans", "en"}
    assert "Cases by mechanism" in titles["en"] and "Cases by mechanism" not in titles["zh-hans"]
    assert "Cases by mechanism" in english_page and "Figures as of" in english_page
    assert english_json["panels"][0]["title"] == "Cases by mechanism"


def test_a_regional_leaders_snapshot_never_holds_another_regions_figures(leader, make_sheet):
    make_sheet(by="zj-liaison", to="ah-liaison")
    make_sheet(by="zj-liaison", to="ah-liaison")
    make_sheet(by="js-liaison", to="sh-liaison")
    assert open_cases(leader("sh-leader").get(API).json()) == 1
    assert open_cases(leader("yrd-leader").get(API).json()) == 3
    shanghai = BriefingSnapshot.objects.get(scope_key="310000")
    assert open_cases({"panels": shanghai.panels}) == 1
    assert open_cases(leader("sh-leader").get(API).json()) == 1  # served from its own snapshot, not the Office's
    assert sorted(BriefingSnapshot.objects.values_list("scope_key", flat=True)) == ["310000", "office"]


def test_snapshots_hold_no_personal_data(leader, make_sheet, make_notice):
    make_sheet(title="张三的隔离情况核查")
    make_notice(contact_officer="李四 13800000000")
    leader().get(API)
    leader("sh-leader").get("/briefing/")
    stored = json.dumps(list(BriefingSnapshot.objects.values_list("panels", flat=True)), ensure_ascii=False)
    for personal in ("张三", "李四", "13800000000", "js-liaison", "sh-leader", "yrd-leader"):
        assert personal not in stored


def test_a_panel_registered_after_the_snapshot_appears_at_once(leader):
    client = leader()
    client.get(API)
    briefing.register(
        briefing.Panel(
            key="test_late_panel",
            title="Late panel",
            order=98,
            compute=lambda scope: {"columns": ["N"], "rows": [[1]]},
            template="briefing/panels/table_chart.html",
        )
    )
    try:
        assert "test_late_panel" in [p["key"] for p in client.get(API).json()["panels"]]
    finally:
        briefing._panels.pop("test_late_panel")


def test_beat_queues_a_refresh_of_the_snapshots_read_within_the_hour(
    leader, lagging_allowed, queued, django_capture_on_commit_callbacks
):
    leader().get(API)
    leader("sh-leader").get(API)
    BriefingSnapshot.objects.filter(scope_key="310000").update(read_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert briefing_snapshots_refresh_stale() == 0  # both current
        assert tasks.refresh_stale_briefings() == 1  # the Office's will be stale before the next run
        assert tasks.refresh_stale_briefings() == 0  # already queued
    assert [call[:2] for call in queued] == [("office", "zh-hans")]


def test_the_page_re_reads_its_panels_when_told_they_were_refreshed(leader):
    page = leader().get("/briefing/").content.decode()
    assert "yrd:briefing-refresh" in page and "js/briefing.js" in page
