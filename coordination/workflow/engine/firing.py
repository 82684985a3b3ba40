"""Firing a declared transition: the checks, in order, then state, version, deadline, audit and outbox."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from coordination import events
from coordination.errors import Conflict, DomainError, Invalid, PreconditionFailed
from coordination.models import Participant
from coordination.workflow import mechanisms
from coordination.workflow.access import case_for_user, membership_of, visible_cases
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
        case = case_to_join(by, model, pk, spec) if spec.joins else case_for_user(by, model, pk, lock=True)
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
        refuse_unless_allowed(case, spec, by, details=lambda: {"allowed_transitions": allowed_transitions(case, by)})
        validated = validate_payload(model, name, data or {}, case=case)
        ctx = TransitionContext(
            by=by, organisation=membership_of(by).organisation, data=validated, comment=comment, item=item
        )
        return _apply_transition(case, name, ctx, payload=data or {})


def case_to_join(by, model, pk, spec):
    """The case of a joining transition (`joins=`), locked, with the user's organisation on it
    in the transition's role when the transition's rule lets it join and the case's state
    allows the transition (undone with everything else if the transition fails). Otherwise the
    usual answers: 404 when the case is not the user's to see; for one they see, 403 without
    the permission (with the rule's reason when it gives one), 409 by the state."""
    from coordination.workflow.access import case_perms
    from coordination.workflow.engine.participants import participant_add, participants_join

    membership = membership_of(by)
    try:
        case = model.objects.select_for_update(of=("self",)).select_related("mechanism", "originator").get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    refusal = spec.join_refusal(case, membership) if membership is not None else ""
    if refusal is not None or not can_proceed(getattr(case, spec.name)):
        if not visible_cases(by, model).filter(pk=case.pk).exists():
            raise Http404
        if refusal and spec.permission not in case_perms(by, case):
            raise DomainError("permission_denied", refusal, 403)
        return case
    roles = set(
        Participant.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id=case.pk,
            organisation_id=membership.organisation_id,
        ).values_list("role", flat=True)
    )
    if not roles:  # a newcomer: its participation and permissions in two inserts
        participants_join(case, [(membership.organisation, spec.joins)])
    elif spec.joins not in roles:
        participant_add(case, organisation=membership.organisation, role=spec.joins)
    case.__dict__.pop("_perm_cache", None)
    return case


def _version(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid(_("The version must be a whole number."), code="invalid_version") from None


def refuse_unless_allowed(case, spec, by, *, details=dict) -> None:
    """409 unless the case's state allows the transition and its guard lets `by` fire it;
    `details()` adds to the error's details."""
    method = getattr(case, spec.name)
    refusal = spec.guard(case, by) if spec.guard and can_proceed(method) else None
    if not can_proceed(method) or refusal:
        raise Conflict(
            refusal or _("This action is not allowed in the case's current state."),
            code="transition_not_allowed",
            details={"state": case.state, **details()},
        )


def _locked_item(spec, case, user, item=None):
    """The item an item transition acts on (the user's, unless given), locked and read afresh."""
    if spec.item is None:
        return None
    item = item if item is not None else spec.item(case, user)
    if item is None:
        return None
    queryset = type(item).objects.select_for_update(of=("self",))
    if any(field.name == "organisation" for field in type(item)._meta.fields):
        queryset = queryset.select_related("organisation")
    return queryset.get(pk=item.pk)


def system_transition_fire(case, name: str, *, by=None, organisation=None, comment: str = "", payload=None, now=None):
    """Fire a system transition (deadlines, expiry, supersession) on a case the caller has
    locked: no permission to check, nobody's payload to validate."""
    spec = transition_spec(type(case), name)
    if spec is None or not spec.system:
        raise ValueError(f"{name} is not a system transition of {type(case).__name__}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a system transition runs inside the transaction that locked its case")
    ctx = TransitionContext(by=by, organisation=organisation, comment=comment, now=now or timezone.now())
    return _apply_transition(case, name, ctx, payload=payload or {})


@dataclass(frozen=True)
class TransitionRun:
    """What running a transition on a case gave: where it came from, what its audit entry
    keeps and the payload of its CASE_TRANSITIONED event."""

    from_state: str
    record: dict
    event: dict


def transition_run(case, name: str, ctx: TransitionContext, *, payload: dict) -> TransitionRun:
    """Run the declared method on the case and move it on (version, deadline), without saving:
    the one place a transition's effects on a case are made, for `_apply_transition` (one case)
    and the bulk path (bulk_firing.py)."""
    from_state = case.state
    getattr(case, name)(ctx)
    case.version += 1
    if case.state != from_state:
        set_deadline(case, case.state, ctx.now)
    case.__dict__.pop("_perm_cache", None)
    record = {**payload, **ctx.record}
    if ctx.item is not None:
        record["item"] = ctx.item.pk
    event = case_event_payload(
        case,
        notify_roles=list(transition_spec(type(case), name).notify),
        transition=name,
        from_state=from_state,
        actor=ctx.by.pk if ctx.by else None,
        organisation=ctx.organisation.pk if ctx.organisation else None,
        comment=ctx.comment,
    )
    return TransitionRun(from_state, record, event)


def _apply_transition(case, name: str, ctx: TransitionContext, *, payload: dict):
    """Run the transition on a locked case and record it: state, version, deadline, audit,
    outbox. Reached only through transition_fire (people) and system_transition_fire."""
    run = transition_run(case, name, ctx, payload=payload)
    case.save()
    audit_append(case, ctx=ctx, transition=name, from_state=run.from_state, to_state=case.state, payload=run.record)
    outbox_emit(events.CASE_TRANSITIONED, case=case, payload=run.event)
    ctx.run_late()
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
