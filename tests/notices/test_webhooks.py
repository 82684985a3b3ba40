"""Outbound webhooks: signed, retried, logged, and never pointed at internal addresses."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.test import override_settings

from coordination.models import OutboxEvent
from coordination.workflow.engine import transition_fire
from notices.models import WebhookDelivery, WebhookSubscription
from notices.webhooks import WebhookTargetRefused, check_target, webhook_deliver, webhooks_for_event


class Receiver:
    """A local HTTP endpoint answering with the status codes it is given, in turn."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver([])
    with override_settings(WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"], WEBHOOK_ALLOWED_PRIVATE_HOSTS=["127.0.0.1"]):
        yield r
    r.close()


def subscribe(demo, url, fmt="json", kinds=()):
    return WebhookSubscription.objects.create(
        organisation=demo.org("sh-liaison"), name="上海值班系统", url=url, format=fmt, event_kinds=list(kinds)
    )


def test_an_event_of_a_case_is_posted_signed_to_the_concerned_organisations_hook(demo, make_sheet, receiver):
    subscription = subscribe(demo, receiver.url)
    make_sheet()
    deliveries = webhooks_for_event(OutboxEvent.objects.get(kind="case.created"))
    assert len(deliveries) == 1
    assert webhook_deliver(deliveries[0].pk) is True
    headers, body = receiver.requests[0]
    timestamp, signature = (part.split("=", 1)[1] for part in headers["X-YRD-Signature"].split(","))
    expected = hmac.new(subscription.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert signature == expected
    assert json.loads(body)["kind"] == "case.created" and headers["X-YRD-Event"] == "case.created"
    deliveries[0].refresh_from_db()
    assert deliveries[0].status == "succeeded" and deliveries[0].attempt_log.count() == 1


def test_organisations_not_concerned_get_nothing_and_kinds_filter(demo, make_sheet, receiver):
    WebhookSubscription.objects.create(organisation=demo.org("zj-liaison"), name="浙江", url=receiver.url)
    subscribe(demo, receiver.url, kinds=["deadline.reminder"])
    make_sheet()
    assert webhooks_for_event(OutboxEvent.objects.get(kind="case.created")) == []


def test_a_failing_endpoint_is_retried_with_backoff_and_each_attempt_logged(demo, make_sheet, receiver):
    receiver.statuses = [500, 503]
    subscribe(demo, receiver.url)
    make_sheet()
    delivery = webhooks_for_event(OutboxEvent.objects.get(kind="case.created"))[0]
    assert webhook_deliver(delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == "retrying" and delivery.attempts == 1
    assert webhook_deliver(delivery.pk) is False  # not due yet: nothing happens
    assert delivery.attempt_log.count() == 1
    for _ in range(2):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
        webhook_deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 3
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 503, 200]


def test_the_same_event_makes_one_delivery_per_subscription(demo, make_sheet, receiver):
    subscribe(demo, receiver.url)
    sheet = make_sheet()
    transition_fire(type(sheet), sheet.pk, "accept", by=demo.user("sh-liaison"))
    event = OutboxEvent.objects.get(kind="case.transitioned")
    assert len(webhooks_for_event(event)) == 1
    assert webhooks_for_event(event) == []


def test_chat_robot_formats_are_markdown_messages(demo, make_sheet, receiver):
    subscribe(demo, receiver.url, fmt="wecom")
    sheet = make_sheet()
    delivery = webhooks_for_event(OutboxEvent.objects.get(kind="case.created"))[0]
    assert delivery.body["msgtype"] == "markdown" and sheet.reference in delivery.body["markdown"]["content"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/",
        "https://localhost/hook",
        "https://10.0.0.5/hook",
        "https://169.254.169.254/latest/meta-data/",
        "ftp://example.gov.cn/x",
        "https://evil.example.com/hook",
    ],
)
def test_internal_or_unlisted_targets_are_refused(url):
    allowed = ["*.gov.cn", "10.0.0.5", "localhost", "169.254.169.254", "127.0.0.1"]
    with override_settings(WEBHOOK_ALLOWED_HOSTS=allowed), pytest.raises(WebhookTargetRefused):
        check_target(url)


def test_the_api_manages_an_organisations_hooks_and_test_sends(api_as, demo, receiver):
    client = api_as(demo.user("sh-liaison"))
    created = client.post(
        "/api/v1/webhooks/", {"name": "值班群", "url": receiver.url, "format": "dingtalk"}, format="json"
    )
    assert created.status_code == 201 and created.json()["secret"]
    hook = created.json()["id"]
    sent = client.post(f"/api/v1/webhooks/{hook}/test/").json()
    assert sent["status"] == "succeeded" and sent["attempt_log"][0]["status_code"] == 200
    assert client.get(f"/api/v1/webhooks/{hook}/deliveries/").json()["count"] == 1
    assert api_as(demo.user("zj-liaison")).get(f"/api/v1/webhooks/{hook}/").status_code == 404
    refused = client.post("/api/v1/webhooks/", {"name": "x", "url": "https://10.1.2.3/"}, format="json")
    assert refused.status_code == 400 and "url" in refused.json()["error"]["details"]
