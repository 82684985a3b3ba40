"""The platform's Celery app as the reliability tests run it in a worker subprocess
(`celery -A tests.reliability.worker_app worker`): the real app and tasks, plus a trace of
the steps a test waits for and, where it asks, a pause in which it can kill the pool process.

Steps, traced in RELIABILITY_TRACE_DIR/trace.log as "<step> <pid> <time>" lines:
  "render <document number>"       a circular's render, after render_attempts was counted;
  "laid-out <document number>"     its PDF is laid out (the service stores it next);
  "deliver <event kind> <event id>" an outbox event's delivery, after the platform's own
                                    handlers ran, before its transaction commits.
A step whose name starts with RELIABILITY_PAUSE_AT pauses RELIABILITY_PAUSE_SECONDS the first
time any process reaches it, never again: the redone task runs straight through.
"""

import os
import time
from pathlib import Path

from celery.signals import task_prerun

from config.celery import app

__all__ = ("app",)

TRACE_DIR = Path(os.environ.get("RELIABILITY_TRACE_DIR", "."))
PAUSE_AT = os.environ.get("RELIABILITY_PAUSE_AT", "")
PAUSE_SECONDS = float(os.environ.get("RELIABILITY_PAUSE_SECONDS", "0"))


def step(name: str) -> None:
    with open(TRACE_DIR / "trace.log", "a") as trace:
        trace.write(f"{name} {os.getpid()} {time.time():.3f}\n")
    if not PAUSE_AT or not name.startswith(PAUSE_AT):
        return
    try:
        os.close(os.open(TRACE_DIR / f"paused-{name.replace(' ', '-')}", os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return
    time.sleep(PAUSE_SECONDS)


def paused_delivery(event) -> None:
    step(f"deliver {event.kind} {event.pk}")


_installed = False


@task_prerun.connect
def install_steps(**kwargs) -> None:
    """In the pool process, before its first task: after the renderer's warm-up page, which
    must not pause."""
    global _installed
    if _installed:
        return
    _installed = True
    from coordination import events
    from notices.circulars import rendering

    real_render = rendering.render_circular

    def render_circular(document, **options):
        step(f"render {document.document_number}")
        rendered = real_render(document, **options)
        step(f"laid-out {document.document_number}")
        return rendered

    rendering.render_circular = render_circular
    # Subscribed last, so it runs after the platform's own handlers (e-mail, webhooks).
    events.subscribe("*", paused_delivery)
