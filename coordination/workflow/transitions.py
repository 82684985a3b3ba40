"""How a pattern declares a transition: django-fsm-2's `@transition` with one typed spec.

    @case_transition(state, source=S.SUBMITTED, target=S.ACCEPTED, label=_("Accept"),
                     permission="respond")
    def accept(self, ctx): ...

`permission` names the object permission a participant's role grants (view, originate,
respond, review; coordination/workflow/access.py); `payload` the serializer that validates what
the transition takes; `notify` the participant roles told (every participant when empty);
`guard(case, user)` why this user cannot fire it now (409), or None; `system` transitions are
fired by the engine itself (deadlines, supersession), never through the API; `item` transitions
act on one item of the case (an addressee's receipt) and check that item's version.

`joins` makes a transition open to organisations that are not (yet) on the case: one that
`join_refusal(case, membership)` does not refuse joins in that role as it fires it, inside the
same transaction (a region pledging to another's supply request). Anybody else gets the usual
404; a participant the rule refuses, 409 with the rule's reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django_fsm import transition

from coordination.workflow.access import requires


@dataclass(frozen=True)
class TransitionSpec:
    name: str
    label: Any
    payload: type | None = None
    permission: str | None = None
    notify: tuple[str, ...] = ()
    guard: Callable[[Any, Any], str | None] | None = None
    system: bool = False
    item: Callable[[Any, Any], Any] | None = None  # (case, user) → the item the transition acts on
    joins: str | None = None  # the participant role a newcomer takes by firing it
    join_refusal: Callable[[Any, Any], str | None] | None = None  # (case, membership) → why not, or None


def case_transition(
    field,
    *,
    source,
    target,
    label,
    permission: str | None = None,
    payload: type | None = None,
    notify: Sequence[str] = (),
    guard: Callable[[Any, Any], str | None] | None = None,
    system: bool = False,
    item: Callable[[Any, Any], Any] | None = None,
    joins: str | None = None,
    join_refusal: Callable[[Any, Any], str | None] | None = None,
    conditions: Sequence[Callable] = (),
):
    if system and permission:
        raise ValueError("a system transition needs no permission: nobody fires it by hand")
    if not system and permission is None:
        raise ValueError("a transition people fire names the permission it needs")
    if joins and join_refusal is None:
        raise ValueError("a joining transition says whom it refuses (join_refusal)")

    def decorate(method):
        spec = TransitionSpec(
            name=method.__name__,
            label=label,
            payload=payload,
            permission=permission,
            notify=tuple(notify),
            guard=guard,
            system=system,
            item=item,
            joins=joins,
            join_refusal=join_refusal,
        )
        return transition(
            field,
            source=source,
            target=target,
            permission=requires(permission) if permission else None,
            conditions=list(conditions),
            custom={"spec": spec},
        )(method)

    return decorate


def declared_transitions(model) -> dict:
    """name → the fsm metadata of every transition declared on the model."""
    state_field = model._meta.get_field("state")
    return {name: method._django_fsm for name, method in state_field.transitions[model].items()}


def transition_info(model, name: str):
    """One django-fsm Transition of the named transition (any source: they share the spec),
    or None if the model declares no such transition."""
    meta = declared_transitions(model).get(name)
    return next(iter(meta.transitions.values())) if meta else None


def transition_spec(model, name: str) -> TransitionSpec | None:
    info = transition_info(model, name)
    return info.custom["spec"] if info else None


def transition_label(model, name: str):
    spec = transition_spec(model, name)
    return spec.label if spec else name
