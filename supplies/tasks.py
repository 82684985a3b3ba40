"""Celery tasks of the supplies app: allocation orders (调拨单) rendered and signed in the
background, queued after the allocation commits (supplies/services/aid.py)."""

import logging

from celery import shared_task

from coordination.documents import render_task_options, render_with_retries

log = logging.getLogger(__name__)


@shared_task(**render_task_options())
def allocation_orders_render(self, order_ids: list[int]) -> None:
    """Render and sign each allocation order; retried with backoff, then left for the first
    download."""
    from supplies.documents import allocation_order_render

    for order_id in order_ids:
        render_with_retries(
            self,
            lambda order_id=order_id: allocation_order_render(order_id),
            what=f"allocation order {order_id} (its first download renders it)",
            log=log,
        )
