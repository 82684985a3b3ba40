"""Delivering outbox events to the handlers subscribed to their kind (coordination.events)."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from coordination import events
from coordination.models import OutboxEvent

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(minutes=30)


def outbox_deliver(event_id: int) -> bool:
    """Deliver one event, at most once successfully: the row is locked (others skip it) and
    marked delivered in the same transaction as the handlers' own writes. A failing handler
    rolls its writes back and leaves the event pending, retried with backoff."""
    try:
        with transaction.atomic():
            event = (
                OutboxEvent.objects.select_for_update(skip_locked=True)
                .filter(pk=event_id, delivered_at__isnull=True)
                .first()
            )
            if event is None:
                return False
            for handler in events.handlers_for(event.kind):
                handler(event)
            event.delivered_at = timezone.now()
            event.attempts += 1
            event.save(update_fields=["delivered_at", "attempts"])
            return True
    except Exception as exc:
        log.exception("outbox event %s failed", event_id)
        attempts = OutboxEvent.objects.filter(pk=event_id).values_list("attempts", flat=True).first() or 0
        backoff = min(timedelta(seconds=5 * 2**attempts), MAX_BACKOFF)
        OutboxEvent.objects.filter(pk=event_id).update(
            attempts=attempts + 1,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            available_at=timezone.now() + backoff,
        )
        return False


def outbox_relay(*, older_than=timedelta(seconds=10), limit=500) -> int:
    """Deliver pending events whose after-commit hand-off did not happen or failed (broker
    down, worker died). Events younger than `older_than` are left to their own task."""
    now = timezone.now()
    pending = OutboxEvent.objects.filter(
        delivered_at__isnull=True, available_at__lte=now, created_at__lte=now - older_than
    ).values_list("pk", flat=True)[:limit]
    return sum(outbox_deliver(pk) for pk in list(pending))
