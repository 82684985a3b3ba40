"""Creating cases and firing their declared transitions: the only way a case changes state.

Every write here is atomic: the case row, its participants and object permissions, the audit
entry and the outbox event commit together or not at all. Creation comes one at a time
(`case_create`) or in bulk (`cases_create_many`: the same rows, written in set operations).

The engine is a package: `creation` (case_create, cases_create_many), `firing` (transition_fire,
system_transition_fire), `bulk_firing` (transitions_fire_each, for trusted callers), `records`
(the audit chain and the outbox), `participants`, `context`. Import from here.
"""

from coordination.workflow.engine.bulk_firing import Firing, transitions_fire_each, transitions_fire_many
from coordination.workflow.engine.context import TransitionContext
from coordination.workflow.engine.creation import (
    NewCase,
    case_create,
    cases_create_many,
    escalation_grace,
    set_deadline,
    set_deadlines,
)
from coordination.workflow.engine.firing import (
    allowed_transitions,
    guard_refusal,
    payload_serializer_for,
    system_transition_fire,
    transition_fire,
    validate_payload,
)
from coordination.workflow.engine.participants import (
    participant_add,
    participant_remove,
    participants_join,
    participants_join_many,
)
from coordination.workflow.engine.records import (
    audit_append,
    audit_entry,
    case_event_payload,
    enqueue_delivery,
    outbox_emit,
    outbox_emit_many,
)

__all__ = [
    "Firing",
    "NewCase",
    "TransitionContext",
    "allowed_transitions",
    "audit_append",
    "audit_entry",
    "case_create",
    "case_event_payload",
    "cases_create_many",
    "enqueue_delivery",
    "escalation_grace",
    "guard_refusal",
    "outbox_emit",
    "outbox_emit_many",
    "participant_add",
    "participant_remove",
    "participants_join",
    "participants_join_many",
    "payload_serializer_for",
    "set_deadline",
    "set_deadlines",
    "system_transition_fire",
    "transition_fire",
    "transitions_fire_each",
    "transitions_fire_many",
    "validate_payload",
]
