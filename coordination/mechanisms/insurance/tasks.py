"""Celery task of INS: the receipt (备案回执) of an approved filing, rendered in the background.

Queued after commit by `insurance_receipt_render_after_approval` (subscribed in
coordination/apps.py); bounded and retried like a circular's render
(notices/circulars/tasks.py). A receipt it never stores is rendered on its first download.
"""

import logging

from celery import shared_task

from coordination.documents import render_task_options, render_with_retries
from coordination.mechanisms.insurance.services import insurance_receipt_render_queued

log = logging.getLogger(__name__)


@shared_task(**render_task_options())
def render_insurance_receipt(self, filing_id: int) -> None:
    """Render one filing's receipt; retried with backoff, then left for the first download."""
    render_with_retries(
        self,
        lambda: insurance_receipt_render_queued(filing_id),
        what=f"receipt of filing {filing_id} (its first download renders it)",
        log=log,
    )
