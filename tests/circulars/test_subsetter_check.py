"""Without HarfBuzz's subsetter a circular takes 15–18 s: /healthz says so, the worker's log
says so at start, and rendering refuses to begin."""

import logging

import pytest
from weasyprint.text import ffi

from notices.circulars import rendering, tasks


def test_healthz_reports_the_subsetter(client, db):
    body = client.get("/healthz").json()
    assert body["checks"]["pdf_subsetter"] == {"ok": True}


@pytest.fixture
def no_subsetter(monkeypatch):
    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    rendering.reset_renderer()
    yield
    rendering.reset_renderer()


def test_healthz_answers_503_naming_the_missing_subsetter(client, db, no_subsetter):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert "pdf_subsetter" in body["failing"]
    assert "libharfbuzz-subset0" in body["checks"]["pdf_subsetter"]["error"]


def test_rendering_refuses_to_start(no_subsetter):
    with pytest.raises(rendering.SubsetterMissing, match="libharfbuzz-subset0"):
        rendering.get_renderer()


def test_the_worker_log_says_so_at_start(no_subsetter, caplog):
    with caplog.at_level(logging.ERROR, logger="notices.circulars"):
        tasks.check_renderer_at_start()
        tasks.warm_renderer()
    messages = [record.getMessage() for record in caplog.records]
    assert any("libharfbuzz-subset0" in message for message in messages), messages


def test_a_render_without_it_is_retried_then_failed_with_the_reason(issue, no_subsetter):
    circular = issue(render=False)
    tasks.render_circular.apply(args=(circular.pk,))
    circular.refresh_from_db()
    assert circular.status == circular.Status.FAILED
    assert "libharfbuzz-subset0" in circular.failure_reason


def test_a_warm_worker_renders_the_warm_up_page():
    assert rendering.warm_up() < 10
