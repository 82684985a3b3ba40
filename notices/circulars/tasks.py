"""Celery tasks of circulars: thin wrappers that take ids and call notices/circulars/services.py.

A worker process builds its renderer (WeasyPrint, one FontConfiguration, the font stacks)
when it starts and renders a warm-up page, so the first circular is as fast as the next. A
worker without HarfBuzz's subsetter says so in its log at start and refuses to render.
"""

import logging

from celery import shared_task
from celery.signals import worker_init, worker_process_init
from django.conf import settings

from notices.circulars.services import circular_render, circular_render_failed, circulars_requeue_stuck

log = logging.getLogger("notices.circulars")
RETRY_BACKOFF_SECONDS = 5


@shared_task(
    bind=True,
    ignore_result=True,
    acks_late=True,
    soft_time_limit=settings.CIRCULAR_RENDER_SOFT_TIME_LIMIT,
    time_limit=settings.CIRCULAR_RENDER_TIME_LIMIT,
    max_retries=settings.CIRCULAR_RENDER_MAX_ATTEMPTS - 1,
)
def render_circular(self, circular_id: int) -> None:
    """Render one circular; retried with backoff, then marked failed with the reason."""
    try:
        circular_render(circular_id)
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        if self.request.retries >= self.max_retries:
            log.exception("circular %s: giving up after %s attempts", circular_id, self.request.retries + 1)
            circular_render_failed(circular_id, reason=reason)
            return
        log.warning("circular %s: render failed (%s), retrying", circular_id, reason)
        raise self.retry(exc=exc, countdown=RETRY_BACKOFF_SECONDS * 2**self.request.retries) from exc


@shared_task(ignore_result=True)
def requeue_circular_renders() -> dict:
    return circulars_requeue_stuck()


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
