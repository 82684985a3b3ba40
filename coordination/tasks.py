"""Celery tasks of the engine: thin wrappers that take ids and call a service."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from coordination.models import IdempotencyRecord
from coordination.workflow.deadlines import credentials_expire, deadlines_check, notices_expire
from coordination.workflow.outbox import outbox_deliver, outbox_relay


# Acknowledged when done: a delivery whose process is killed rolls back (the event is marked
# delivered in its handlers' transaction) and is redone at once by the next process, instead of
# waiting for the relay.
@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def deliver_outbox_events(event_ids: list[int]) -> None:
    """The events one transaction recorded (one, or a whole batch's), each delivered on its own."""
    for event_id in event_ids:
        outbox_deliver(event_id)


@shared_task(ignore_result=True)
def relay_outbox() -> int:
    return outbox_relay()


@shared_task(ignore_result=True)
def check_deadlines() -> dict:
    return deadlines_check()


@shared_task(ignore_result=True)
def expire_notices() -> int:
    return notices_expire()


@shared_task(ignore_result=True)
def expire_credentials() -> int:
    return credentials_expire()


@shared_task(ignore_result=True)
def purge_idempotency_records() -> int:
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
