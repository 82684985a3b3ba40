"""The audit chain and the outbox, written in the transaction of the change they record."""

import logging
from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from coordination import events
from coordination.models import AuditEntry, OutboxEvent
from coordination.models.audit import GENESIS, canonical_json, sha256
from coordination.workflow import mechanisms
from coordination.workflow.bulk import instances_insert
from coordination.workflow.engine.context import TransitionContext

log = logging.getLogger(__name__)


# --- audit and outbox -------------------------------------------------------------------------


def audit_entry(
    case, *, ctx: TransitionContext, transition: str, from_state: str, to_state: str, payload=None, previous=None
) -> AuditEntry:
    """The link of the case's hash chain that follows `previous` (None: the first), unsaved."""
    payload = payload or {}
    entry = AuditEntry(
        content_type=ContentType.objects.get_for_model(case),
        object_id=case.pk,
        seq=(previous.seq + 1) if previous else 1,
        at=ctx.now,
        actor=ctx.by,
        organisation=ctx.organisation,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        comment=ctx.comment,
        payload=payload,
        payload_hash=sha256(canonical_json(payload)),
        prev_hash=previous.hash if previous else GENESIS,
    )
    entry.hash = entry.computed_hash()
    return entry


def audit_append(case, *, ctx: TransitionContext, transition: str, from_state: str, to_state: str, payload=None):
    """Append the next link of the case's hash chain. Call with the case row locked."""
    content_type = ContentType.objects.get_for_model(case)
    last = AuditEntry.objects.filter(content_type=content_type, object_id=case.pk).order_by("-seq").first()
    entry = audit_entry(
        case, ctx=ctx, transition=transition, from_state=from_state, to_state=to_state, payload=payload, previous=last
    )
    entry.save()
    return entry


def outbox_emit(kind: str, *, case=None, payload: dict | None = None) -> OutboxEvent:
    """Record a side effect in the current transaction; deliver it after commit."""
    return outbox_emit_many(kind, [(case, payload)])[0]


def outbox_emit_many(kind: str, items: Sequence[tuple[object | None, dict | None]]) -> list[OutboxEvent]:
    """Record events of one kind, a (case or None, payload) each, in one insert; the
    in-transaction handlers see them together (events.handle_in_transaction) and one Celery
    task delivers them all after commit."""
    recorded = instances_insert(
        [
            OutboxEvent(
                kind=kind,
                content_type=ContentType.objects.get_for_model(case) if case is not None else None,
                object_id=case.pk if case is not None else None,
                payload=payload or {},
            )
            for case, payload in items
        ]
    )
    events.handle_in_transaction(kind, recorded)
    event_ids = [event.pk for event in recorded]
    transaction.on_commit(lambda: enqueue_delivery(event_ids))
    return recorded


def enqueue_delivery(event_ids: list[int]) -> None:
    """Hand the events to Celery, in one task. A broker that is down only delays them: the
    periodic relay (coordination.tasks.relay_outbox) picks up whatever is still pending."""
    from coordination.tasks import deliver_outbox_events

    try:
        deliver_outbox_events.apply_async((event_ids,), retry=False)
    except Exception:
        log.warning("outbox events %s left for the relay: broker unavailable", event_ids, exc_info=True)


def case_event_payload(case, **extra) -> dict:
    return {
        "model": case._meta.label_lower,
        "resource": mechanisms.for_model(case).resource,
        "id": case.pk,
        "reference": case.reference,
        "title": case.title,
        "mechanism": case.mechanism_id,
        "state": case.state,
        "version": case.version,
        **extra,
    }
