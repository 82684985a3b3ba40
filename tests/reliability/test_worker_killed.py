"""A worker's pool process killed (SIGKILL) in the middle of a task is replaced and the task
redone at once, exactly once: late acknowledgement plus rejection on a lost worker. Real
processes throughout: a `celery worker` subprocess on the test database, killed for real."""

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from coordination import events
from coordination.models import OutboxEvent
from notices.models import Circular, Notice, WebhookDelivery, WebhookSubscription
from tests.reliability.conftest import REAL_WORKER, wait_for

pytestmark = REAL_WORKER


def test_a_render_killed_mid_way_is_redone_once_into_one_pdf_and_one_event(worker, issue):
    worker.start(pause_at="render", pause_seconds=30)
    started = time.monotonic()
    circular = issue()
    assert circular.status == Circular.Status.RENDERING
    step = f"render {circular.document_number}"

    killed = worker.kill_pool_process_at(step)
    assert Circular.objects.get(pk=circular.pk).render_attempts == 1  # killed while rendering

    wait_for(
        lambda: Circular.objects.filter(pk=circular.pk).exclude(status=Circular.Status.RENDERING).exists(),
        60,
        what="the render redone",
    )
    assert time.monotonic() - started < 60
    circular.refresh_from_db()
    assert circular.status == Circular.Status.ISSUED, (circular.failure_reason, worker.log())
    assert circular.render_attempts == 2  # the killed render and the one that redid it
    runs = worker.steps(step)
    assert len(runs) == 2 and runs[0] == killed and runs[1] != killed, "redone by the replacement process"
    assert "signal 9 (SIGKILL)" in worker.log()  # the worker-lost path, not a retry

    pdfs = list(worker.media_root.rglob("*.pdf"))
    assert len(pdfs) == 1, pdfs
    assert hashlib.sha256(pdfs[0].read_bytes()).hexdigest() == circular.sha256
    issued = OutboxEvent.objects.filter(kind=events.CIRCULAR_ISSUED)
    assert issued.count() == 1 and issued.get().payload["id"] == circular.pk
    # The addressees' inbox notices, written in the storing transaction, exist once each.
    recipients = list(Notice.objects.filter(source_event_id=issued.get().pk).values_list("recipient_id", flat=True))
    assert recipients and len(recipients) == len(set(recipients))


class Receiver:
    """A webhook receiver on 127.0.0.1: records every POST it is sent."""

    def __init__(self):
        self.posts = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.posts.append({"headers": dict(self.headers), "body": json.loads(body)})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def of_kind(self, kind):
        return [post for post in self.posts if post["headers"].get("X-YRD-Event") == kind]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def receiver():
    r = Receiver()
    try:
        yield r
    finally:
        r.close()


def test_an_event_delivery_killed_mid_way_is_redone_once_and_its_webhook_posted_once(
    worker, demo, make_sheet, receiver
):
    WebhookSubscription.objects.create(organisation=demo.org("sh-liaison"), name="联络办群", url=receiver.url)
    worker.start(
        pause_at=f"deliver {events.CASE_CREATED}",
        pause_seconds=30,
        WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
        WEBHOOK_ALLOWED_PRIVATE_HOSTS="127.0.0.1",
    )
    started = time.monotonic()
    sheet = make_sheet(by="js-liaison", to="sh-liaison")
    event = OutboxEvent.objects.get(kind=events.CASE_CREATED, object_id=sheet.pk)
    # The inbox notices were written with the sheet; delivering the event writes none.
    inbox = sorted(Notice.objects.filter(source_event_id=event.pk).values_list("pk", flat=True))
    step = f"deliver {event.kind} {event.pk}"

    killed = worker.kill_pool_process_at(step)
    assert OutboxEvent.objects.get(pk=event.pk).delivered_at is None  # its transaction died with it
    assert not WebhookDelivery.objects.filter(event=event).exists()

    wait_for(lambda: receiver.of_kind(event.kind), 60, what="the webhook posted")
    assert time.monotonic() - started < 60
    # Whatever would run twice has had the time to: the delivery task and the webhook's are done.
    wait_for(lambda: worker.succeeded("coordination.tasks.deliver_outbox_events") >= 1, 30, what="the delivery")
    wait_for(lambda: worker.succeeded("notices.tasks.deliver_webhook") >= 1, 30, what="the webhook task")
    time.sleep(1)

    event.refresh_from_db()
    assert event.delivered_at is not None and event.attempts == 1, event.last_error
    runs = worker.steps(step)
    assert len(runs) == 2 and runs[0] == killed and runs[1] != killed, "redone by the replacement process"
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and delivery.attempts == 1
    posts = receiver.of_kind(event.kind)
    assert len(posts) == 1, posts
    assert posts[0]["headers"]["X-YRD-Delivery"] == str(delivery.pk)
    assert posts[0]["body"]["data"]["id"] == sheet.pk
    assert sorted(Notice.objects.filter(source_event_id=event.pk).values_list("pk", flat=True)) == inbox
