"""`/healthz` reports the database, the channel layer and the broker."""

import pytest

from config.celery import app as celery_app


def test_it_answers_200_when_everything_is_reachable(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "channel_layer", "broker", "pdf_subsetter"}


@pytest.fixture
def unreachable_broker():
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    yield
    celery_app.conf.broker_url = original


def test_it_answers_503_naming_the_broker_when_the_broker_is_unreachable(client, db, unreachable_broker):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["checks"]["database"]["ok"] is True
