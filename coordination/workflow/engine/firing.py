"""Firing a declared transition: the checks, in order, then state, version, deadline, audit and outbox."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from coordination import events
from coordination.errors import Conflict, DomainError, Invalid, PreconditionFailed
from coordination.workflow import mechanisms
from coordination.workflow.access import (
    case_for_user,
    membership_of,
)
from coordination.workflow.engine.context import TransitionContext
from coordination.workflow.engine.creation import set_deadline
from coordination.workflow.engine.records import audit_append, case_event_payload, outbox_emit
from coordination.workflow.transitions import declared_transitions, transition_info, transition_spec

# --- transitions as declared on the patterns -----------------------------------------------------


def allowed_transitions(case, user) -> list[str]:
    """The transitions this user may fire on the case now."""
    names = []
    for name, meta in declared_transitions(type(case)).items():
        info = meta.get_transition(case.state)
        if info is None or info.custom["spec"].system:
            continue
        if meta.conditions_met(case, case.state) and info.has_perm(case, user) and not guard_refusal(info, case, user):
            names.append(name)
    return sorted(names)


def guard_refusal(info, case, user) -> str | None:
    """A transition's guard (case, user) says why this user cannot fire it now (e.g. their
    organisation already acknowledged), or None. It answers 409, like a state that does not
    allow the transition."""
    guard = info.custom["spec"].guard
    return guard(case, user) if guard else None


def payload_serializer_for(model, name: str):
    """The mechanism's payload for the transition, else the pattern's."""
    return mechanisms.for_model(model).payload_for(name)


def transition_fire(model, pk, name: str, *, by, data=None, comment: str = "", expected_version=None):
    """Fire the named transition as `by`. Errors, in the order they are checked:
    404 invisible case or unknown transition, 403 not allowed to fire it, 412 stale version,
    409 not allowed from the current state, 400 malformed payload.

    An item transition (declared `item=`, e.g. an addressee's acknowledgement) acts on the
    user's item of the case and compares `expected_version` with that item's version, not the
    case's: two addressees acknowledging at once both succeed. The case row is locked either
    way, so the case's audit chain stays one line."""
    spec = transition_spec(model, name)
    if spec is None or spec.system:
        raise DomainError("unknown_transition", _("This kind of case has no transition of that name."), 404)
    info = transition_info(model, name)
    with transaction.atomic():
        case = case_for_user(by, model, pk, lock=True)
        if not info.has_perm(case, by):
            raise PermissionDenied
        item = _locked_item(spec, case, by)
        current = item.version if item is not None else case.version
        if expected_version is not None and _version(expected_version) != current:
            raise PreconditionFailed(
                _("The case has changed since you loaded it; reload and try again.")
                if item is None
                else _("Your organisation's answer has changed since you loaded it; reload and try again."),
                details={"current_version": current, **({"item": item.pk} if item is not None else {})},
            )
        method = getattr(case, name)
        refusal = guard_refusal(info, case, by) if can_proceed(method) else None
        if not can_proceed(method) or refusal:
            raise Conflict(
                refusal or _("This action is not allowed in the case's current state."),
                code="transition_not_allowed",
                details={"state": case.state, "allowed_transitions": allowed_transitions(case, by)},
            )
        validated = validate_payload(model, name, data or {}, case=case)
        ctx = TransitionContext(
            by=by, organisation=membership_of(by).organisation, data=validated, comment=comment, item=item
        )
        return _apply_transition(case, method, name, ctx, payload=data or {})


def _version(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid(_("The version must be a whole number."), code="invalid_version") from None


def _locked_item(spec, case, user):
    if spec.item is None:
        return None
    item = spec.item(case, user)
    if item is None:
        return None
    return type(item).objects.select_for_update(of=("self",)).select_related("organisation").get(pk=item.pk)


def system_transition_fire(case, name: str, *, by=None, organisation=None, comment: str = "", payload=None, now=None):
    """Fire a system transition (deadlines, expiry, supersession) on a case the caller has
    locked: no permission to check, nobody's payload to validate."""
    spec = transition_spec(type(case), name)
    if spec is None or not spec.system:
        raise ValueError(f"{name} is not a system transition of {type(case).__name__}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a system transition runs inside the transaction that locked its case")
    ctx = TransitionContext(by=by, organisation=organisation, comment=comment, now=now or timezone.now())
    return _apply_transition(case, getattr(case, name), name, ctx, payload=payload or {})


def _apply_transition(case, method, name: str, ctx: TransitionContext, *, payload: dict):
    """Run the transition on a locked case and record it: state, version, deadline, audit,
    outbox. Reached only through transition_fire (people) and system_transition_fire."""
    from_state = case.state
    method(ctx)
    case.version += 1
    if case.state != from_state:
        set_deadline(case, case.state, ctx.now)
    case.save()
    case.__dict__.pop("_perm_cache", None)
    record = {**payload, **ctx.record}
    if ctx.item is not None:
        record["item"] = ctx.item.pk
    audit_append(case, ctx=ctx, transition=name, from_state=from_state, to_state=case.state, payload=record)
    outbox_emit(
        events.CASE_TRANSITIONED,
        case=case,
        payload=case_event_payload(
            case,
            notify_roles=list(transition_spec(type(case), name).notify),
            transition=name,
            from_state=from_state,
            actor=ctx.by.pk if ctx.by else None,
            organisation=ctx.organisation.pk if ctx.organisation else None,
            comment=ctx.comment,
        ),
    )
    return case


def validate_payload(model, name: str, data, *, case) -> dict:
    serializer_class = payload_serializer_for(model, name)
    if serializer_class is None:
        return {}
    if not isinstance(data, dict):
        raise Invalid(_("The payload must be a JSON object."))
    serializer = serializer_class(data=data, context={"case": case})
    if not serializer.is_valid():
        raise Invalid(_("Some fields are not valid."), details=serializer.errors)
    return dict(serializer.validated_data)
