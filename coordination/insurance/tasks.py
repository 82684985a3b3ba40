"""Celery task of INS: the receipt (备案回执) of an approved filing, rendered in the background.

Queued after commit by `insurance_receipt_render_after_approval` (subscribed in
coordination/apps.py); bounded and retried like a circular's render
(notices/circulars/tasks.py). A receipt it never stores is rendered on its first download.
"""

import logging

from celery import shared_task
from django.conf import settings

from coordination.services.insurance import insurance_receipt_render_queued

log = logging.getLogger(__name__)
RETRY_BACKOFF_SECONDS = 5


@shared_task(
    bind=True,
    ignore_result=True,
    acks_late=True,
    soft_time_limit=settings.CIRCULAR_RENDER_SOFT_TIME_LIMIT,
    time_limit=settings.CIRCULAR_RENDER_TIME_LIMIT,
    max_retries=settings.CIRCULAR_RENDER_MAX_ATTEMPTS - 1,
)
def render_insurance_receipt(self, filing_id: int) -> None:
    """Render one filing's receipt; retried with backoff, then left for the first download."""
    try:
        insurance_receipt_render_queued(filing_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            log.exception(
                "receipt of filing %s: giving up after %s attempts; its first download renders it",
                filing_id,
                self.request.retries + 1,
            )
            return
        log.warning("receipt of filing %s: render failed (%s: %s), retrying", filing_id, type(exc).__name__, exc)
        raise self.retry(exc=exc, countdown=RETRY_BACKOFF_SECONDS * 2**self.request.retries) from exc
