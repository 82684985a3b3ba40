"""Side effects go through the outbox: written with the transition, delivered after commit,
never lost when the broker is down."""

from datetime import timedelta

import pytest

from config.celery import app as celery_app
from coordination import events
from coordination.models import OutboxEvent
from coordination.workflow.engine import transition_fire
from coordination.workflow.outbox import outbox_relay


@pytest.fixture
def received():
    seen = []

    def handler(event):
        seen.append((event.kind, event.payload["reference"], event.payload.get("transition")))

    events.subscribe(events.CASE_TRANSITIONED, handler)
    yield seen
    events.unsubscribe(events.CASE_TRANSITIONED, handler)


@pytest.fixture
def broker_down():
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    yield
    celery_app.conf.broker_url = original


def test_a_transition_records_one_outbox_event(demo, make_sheet):
    sheet = make_sheet()
    transition_fire(type(sheet), sheet.pk, "accept", by=demo.user("sh-liaison"))
    event = OutboxEvent.objects.get(kind=events.CASE_TRANSITIONED)
    assert event.payload["transition"] == "accept" and event.payload["state"] == "accepted"
    assert event.delivered_at is None


def test_a_broker_outage_delays_delivery_but_loses_nothing(
    demo, make_sheet, received, broker_down, django_capture_on_commit_callbacks
):
    sheet = make_sheet()
    with django_capture_on_commit_callbacks(execute=True):
        transition_fire(type(sheet), sheet.pk, "accept", by=demo.user("sh-liaison"))
    event = OutboxEvent.objects.get(kind=events.CASE_TRANSITIONED)
    assert event.delivered_at is None and received == []
    # The broker comes back; the periodic relay delivers what is pending, once.
    celery_app.conf.broker_url = "memory://"
    assert outbox_relay(older_than=timedelta(0)) >= 1
    assert outbox_relay(older_than=timedelta(0)) == 0
    event.refresh_from_db()
    assert event.delivered_at is not None
    assert received == [(events.CASE_TRANSITIONED, sheet.reference, "accept")]


def test_a_failing_handler_leaves_the_event_pending_with_its_error(demo, make_sheet):
    sheet = make_sheet()
    transition_fire(type(sheet), sheet.pk, "accept", by=demo.user("sh-liaison"))

    def failing(event):
        raise ValueError("webhook unreachable")

    events.subscribe(events.CASE_TRANSITIONED, failing)
    try:
        outbox_relay(older_than=timedelta(0))
    finally:
        events.unsubscribe(events.CASE_TRANSITIONED, failing)
    event = OutboxEvent.objects.get(kind=events.CASE_TRANSITIONED)
    assert event.delivered_at is None and event.attempts == 1
    assert "webhook unreachable" in event.last_error
    assert event.available_at > event.created_at
