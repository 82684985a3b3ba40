"""Celery tasks of circulars: thin wrappers that take ids and call notices/circulars/services.py.

A worker process builds its renderer (WeasyPrint, one FontConfiguration, the font stacks)
when it starts and renders a warm-up page, so the first circular is as fast as the next. A
worker without HarfBuzz's subsetter says so in its log at start and refuses to render.
"""

import logging

from celery import shared_task
from celery.signals import worker_init, worker_process_init

from coordination.documents import render_task_options, render_with_retries
from notices.circulars.services import (
    circular_render,
    circular_render_failed,
    circulars_requeue_stuck,
    circulars_sign_off_overdue,
)

log = logging.getLogger("notices.circulars")


@shared_task(**render_task_options())
def render_circular(self, circular_id: int) -> None:
    """Render one circular; retried with backoff, then marked failed with the reason."""
    render_with_retries(
        self,
        lambda: circular_render(circular_id),
        what=f"circular {circular_id}",
        give_up=lambda reason: circular_render_failed(circular_id, reason=reason),
        log=log,
    )


@shared_task(ignore_result=True)
def requeue_circular_renders() -> dict:
    return circulars_requeue_stuck()


@shared_task(ignore_result=True)
def escalate_late_sign_offs() -> int:
    return circulars_sign_off_overdue()


@worker_init.connect
def check_renderer_at_start(**kwargs) -> None:
    from notices.circulars.rendering import SUBSETTER_MISSING_MESSAGE, subsetter_available

    if not subsetter_available():
        log.error("Circular rendering is disabled on this worker. %s", SUBSETTER_MISSING_MESSAGE)


@worker_process_init.connect
def warm_renderer(**kwargs) -> None:
    from notices.circulars.rendering import RenderError, warm_up

    try:
        warm_up()
    except RenderError as exc:
        log.error("Circular rendering is disabled on this worker: %s", exc)
    except Exception:
        log.exception("warming the circular renderer failed; it will start with the first render")
