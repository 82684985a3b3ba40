"""A render whose message is gone (broker outage; a worker whose main process died, whose
message Redis gives back only after its visibility timeout) is queued again by the sweep
within a minute; and a render queued twice — by the sweep and by the broker — stores one PDF."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app
from coordination import events
from coordination.mechanisms.insurance.tasks import render_insurance_receipt
from coordination.models import OutboxEvent
from coordination.tasks import deliver_outbox_events
from notices.circulars import tasks
from notices.models import Circular
from notices.webhooks import backoff
from tests.reliability.conftest import purge, queued, real_worker, wait_for

SWEEP = tasks.requeue_circular_renders.name


def test_a_stuck_render_is_queued_again_within_a_minute_and_never_while_it_runs(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["requeue-circular-renders"]
    assert entry["task"] == SWEEP
    # Stuck for STUCK seconds, found by the next sweep at most SWEEP seconds later.
    assert settings.CIRCULAR_RENDER_STUCK_SECONDS + entry["schedule"] <= 60
    assert entry["schedule"] == settings.CIRCULAR_RENDER_SWEEP_SECONDS
    # A render still running when it is found "stuck" would be queued a second time.
    assert settings.CIRCULAR_RENDER_TIME_LIMIT < settings.CIRCULAR_RENDER_STUCK_SECONDS


@pytest.mark.parametrize(
    "task", [tasks.render_circular, render_insurance_receipt, deliver_outbox_events], ids=lambda task: task.name
)
def test_a_task_safe_to_redo_is_acknowledged_when_done_and_requeued_when_its_process_dies(task):
    assert task.acks_late and task.reject_on_worker_lost


@pytest.mark.skipif(not app.conf.broker_url.startswith("redis"), reason="a Redis broker's option")
def test_redis_hands_an_unacknowledged_message_on_only_after_any_render_or_countdown(settings):
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert visibility > settings.CIRCULAR_RENDER_TIME_LIMIT
    longest_webhook_countdown = backoff(settings.WEBHOOK_MAX_ATTEMPTS - 1).total_seconds()
    assert visibility > longest_webhook_countdown
    assert app.conf.task_reject_on_worker_lost


def backdate(circular, seconds):
    Circular.objects.filter(pk=circular.pk).update(render_queued_at=timezone.now() - timedelta(seconds=seconds))


@real_worker
def test_a_render_with_no_message_left_is_queued_again_by_the_sweep_once_past_the_cutoff(worker, issue, settings):
    stuck, recent = issue(), issue()
    purge(worker.queue)  # the broker lost both renders' messages
    assert queued(worker.queue) == 0
    backdate(stuck, settings.CIRCULAR_RENDER_STUCK_SECONDS + 1)
    backdate(recent, settings.CIRCULAR_RENDER_STUCK_SECONDS - 10)
    worker.start()

    started = time.monotonic()
    tasks.requeue_circular_renders.apply_async()  # what beat sends every CIRCULAR_RENDER_SWEEP_SECONDS
    wait_for(lambda: Circular.objects.get(pk=stuck.pk).status != Circular.Status.RENDERING, 30, what="the requeue")
    assert time.monotonic() - started < 30

    stuck.refresh_from_db()
    assert stuck.status == Circular.Status.ISSUED, (stuck.failure_reason, worker.log())
    assert stuck.render_attempts == 1
    recent.refresh_from_db()
    assert recent.status == Circular.Status.RENDERING and recent.render_attempts == 0  # not stuck yet
    assert worker.succeeded(SWEEP) == 1
    assert OutboxEvent.objects.filter(kind=events.CIRCULAR_ISSUED).count() == 1


@real_worker
def test_a_render_queued_again_while_it_still_runs_stores_one_pdf_and_one_event(worker, issue, settings):
    worker.start(concurrency=2, pause_at="render", pause_seconds=8)
    circular = issue()
    step = f"render {circular.document_number}"
    first = wait_for(lambda: (worker.steps(step) or [None])[0], 60, what="the first render")
    # As if its worker's main process had died: the sweep finds it stuck and queues it again;
    # the first render goes on (the broker's redelivery, once the timeout is over, is the same).
    backdate(circular, settings.CIRCULAR_RENDER_STUCK_SECONDS + 1)
    tasks.requeue_circular_renders.apply_async()

    wait_for(lambda: worker.succeeded(tasks.render_circular.name) >= 2, 60, what="both renders done")
    circular.refresh_from_db()
    assert circular.status == Circular.Status.ISSUED, (circular.failure_reason, worker.log())
    assert circular.render_attempts == 2
    renders = worker.steps(f"laid-out {circular.document_number}")
    assert len(renders) == 2 and renders[-1] == first, "both rendered; the first, paused, finished last"
    pdfs = list(worker.media_root.rglob("*.pdf"))
    assert len(pdfs) == 1, pdfs
    assert OutboxEvent.objects.filter(kind=events.CIRCULAR_ISSUED).count() == 1
