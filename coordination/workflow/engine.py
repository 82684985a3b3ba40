"""Creating cases and firing their declared transitions: the only way a case changes state.

Every write here is atomic: the case row, its participants and object permissions, the audit
entry and the outbox event commit together or not at all. Creation comes one at a time
(`case_create`) or in bulk (`cases_create_many`: the same rows, written in set operations).
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connections, router, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from coordination import events
from coordination.errors import Conflict, DomainError, Invalid, PreconditionFailed
from coordination.models import AuditEntry, Mechanism, Organisation, OutboxEvent, Participant, ReferenceSequence
from coordination.models.audit import GENESIS, canonical_json, sha256
from coordination.workflow import mechanisms
from coordination.workflow.access import (
    case_for_user,
    grant_role_permissions_many,
    membership_of,
    sync_group_permissions,
)
from coordination.workflow.bulk import instances_insert, rows_insert
from coordination.workflow.transitions import declared_transitions, transition_info, transition_spec

log = logging.getLogger(__name__)
OFFICE_REFERENCE_ABBR = "YRD"


@dataclass
class TransitionContext:
    """What a transition method receives: who fires it, with what, when."""

    by: object  # the user, or None for the system (deadlines)
    organisation: Organisation | None
    data: dict = field(default_factory=dict)
    comment: str = ""
    now: datetime = field(default_factory=timezone.now)
    # What the transition wants kept in its audit entry beyond the request (e.g. a diff).
    record: dict = field(default_factory=dict)
    # The item an item transition acts on (an addressee's receipt), locked.
    item: object = None


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


# --- participants -----------------------------------------------------------------------------


def participant_add(case, *, organisation: Organisation, role: str, **receipt) -> Participant:
    """Attach an organisation to the case in a role; its group gets that role's permissions."""
    participant, _created = Participant.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(case),
        object_id=case.pk,
        organisation=organisation,
        role=role,
        defaults=receipt,
    )
    sync_group_permissions(case, organisation)
    return participant


def participants_join(case, memberships: list[tuple[Organisation, str]]) -> None:
    """Attach the first participants of a new case in bulk: one insert for the participants
    and one for their organisations' guardian permissions (creation is the hot path of batch
    ingestion; `participant_add` serves later, one-off additions)."""
    participants_join_many(type(case), [(case, memberships)])


def participants_join_many(model, joins: Sequence[tuple[object, Sequence[tuple[Organisation, str]]]]) -> None:
    """`participants_join` for many new cases of one model: (case, memberships) each, one
    insert for all their participants and one for all their guardian permissions."""
    content_type_id = ContentType.objects.get_for_model(model).pk
    now = timezone.now()
    rows, grants = [], []
    for case, memberships in joins:
        memberships = list(dict.fromkeys(memberships))  # the same organisation in the same role once
        rows += [
            (
                content_type_id,
                case.pk,
                organisation.pk,
                role,
                now,
            )
            for organisation, role in memberships
        ]
        grants.append((case, [(organisation.group_id, role) for organisation, role in memberships]))
    rows_insert(Participant, ("content_type_id", "object_id", "organisation_id", "role", "joined_at"), rows)
    grant_role_permissions_many(model, grants)
    items = model.items_on_creation([(case, list(dict.fromkeys(memberships))) for case, memberships in joins])
    if items:
        instances_insert(items)


def participant_remove(case, *, organisation: Organisation, role: str) -> None:
    Participant.objects.filter(
        content_type=ContentType.objects.get_for_model(case), object_id=case.pk, organisation=organisation, role=role
    ).delete()
    sync_group_permissions(case, organisation)


# --- deadlines on entering a state ------------------------------------------------------------


def escalation_grace(due_at, now):
    """How long after the deadline an overdue case is escalated: half its time limit, at
    least 10 minutes and at most 2 hours (an M7 incident escalates fast, a filing later)."""
    from datetime import timedelta

    limit = max(due_at - now, timedelta(0))
    return min(max(limit / 2, timedelta(minutes=10)), timedelta(hours=2))


def set_deadline(case, state: str, now) -> None:
    set_deadlines([case], state, now)


def set_deadlines(cases: Sequence, state: str, now) -> None:
    """`set_deadline` for cases of one model entering `state` at the same moment."""
    if not cases:
        return
    for case, due_at in zip(cases, type(cases[0]).deadlines_on_entering(cases, state, now), strict=True):
        case.due_at = due_at
        case.escalate_at = due_at + escalation_grace(due_at, now) if due_at else None
        case.reminded_at = None
        case.escalated_at = None


# --- creating a case and firing transitions ---------------------------------------------------


@dataclass
class NewCase:
    """One case to create: its title, its participants beyond the originator, its own fields."""

    title: str
    participants: Sequence[tuple[Organisation, str]] = ()
    fields: dict = field(default_factory=dict)


def case_create(
    model,
    *,
    by,
    title: str,
    participants: list[tuple[Organisation, str]] = (),
    mechanism_code: str | None = None,
    **fields,
):
    """Create a case of `model` originated by the user's organisation, with its reference
    number, its participants and the first link of its audit chain. A model serving several
    mechanisms (measure notices: M3, M7, F4, F5) is told which one."""
    # Saved, not bulk-inserted: the model's own save() runs, as it always has for one case.
    [case] = _cases_create(
        model, [NewCase(title, participants, fields)], by=by, mechanism_code=mechanism_code, bulk=False
    )
    return case


def cases_create_many(
    model, new_cases: Sequence[NewCase], *, by, mechanism_code: str | None = None, now: datetime | None = None
) -> list:
    """Create cases of `model` originated by the user's organisation, as `case_create` does each,
    in one transaction and in set operations: one block of consecutive reference numbers under
    one lock of their sequence, one insert each for the cases, their participants, their
    object permissions, their first audit entries and their CASE_CREATED events; the events'
    in-transaction handlers see them together, and one Celery task delivers them after commit.
    All or nothing.

    The cases are inserted together (as by `bulk_create`), so a model's own `save()` does not
    run: columns it derives there (e.g. search hashes) come in the fields.

    `now` (default: the current time) is the moment of creation: the cases' creation time,
    their first audit entries, their deadlines and the year of their reference numbers (scale
    data and imports of past cases give it)."""
    return _cases_create(model, new_cases, by=by, mechanism_code=mechanism_code, bulk=True, now=now)


def _cases_create(
    model, new_cases: Sequence[NewCase], *, by, mechanism_code: str | None, bulk: bool, now: datetime | None = None
) -> list:
    if not new_cases:
        return []
    declaration = mechanisms.for_model(model)
    mechanism_code = mechanism_code or declaration.code
    membership = membership_of(by)
    if not declaration.may_create(membership):
        raise PermissionDenied  # who may create: the declaration's `may_create`, for every caller
    originator = membership.organisation
    now = timezone.now() if now is None else now
    with transaction.atomic():
        mechanism = Mechanism.objects.get(code=mechanism_code)
        references = ReferenceSequence.allocate(
            region_abbr=originator.region.abbr if originator.region_id else OFFICE_REFERENCE_ABBR,
            code=declaration.reference_code_for(mechanism_code),
            year=timezone.localdate(now).year,
            count=len(new_cases),
        )
        cases = [
            model(
                title=new.title,
                mechanism=mechanism,
                originator=originator,
                created_by=by,
                created_at=now,
                reference=reference,
                **new.fields,
            )
            for new, reference in zip(new_cases, references, strict=True)
        ]
        for state in {case.state for case in cases}:
            set_deadlines([case for case in cases if case.state == state], state, now)
        if bulk:
            instances_insert(cases)
        else:
            for case in cases:
                case.save()
        participants_join_many(
            model,
            [
                (case, [(originator, Participant.Role.ORIGINATOR), *new.participants])
                for case, new in zip(cases, new_cases, strict=True)
            ],
        )
        ctx = TransitionContext(by=by, organisation=originator, now=now)
        instances_insert(
            [audit_entry(case, ctx=ctx, transition="create", from_state="", to_state=case.state) for case in cases]
        )
        outbox_emit_many(events.CASE_CREATED, [(case, case_event_payload(case, actor=by.pk)) for case in cases])
    return cases


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


# --- firing transitions in bulk (trusted callers) ---------------------------------------------


@dataclass
class Firing:
    """One transition to fire in bulk (`transitions_fire_each`): on which case, which one, by
    whom, with what request payload and when (default: the call's `now`). The acting
    organisation defaults to the user's; an item transition's item (an addressee's receipt)
    to the one the transition's `item` finds for the user."""

    case: object
    name: str
    by: object = None
    data: dict | None = None
    comment: str = ""
    now: datetime | None = None
    organisation: Organisation | None = None
    item: object = None


def transitions_fire_many(
    model, cases: Sequence, name: str, *, by, data=None, comment: str = "", now: datetime | None = None
) -> list:
    """Fire the same transition, by the same user with the same payload, on many cases of
    `model`: `transitions_fire_each` with one `Firing` per case."""
    return transitions_fire_each(model, [Firing(case, name, by, data, comment) for case in cases], now=now)


def transitions_fire_each(model, firings: Sequence[Firing], *, now: datetime | None = None) -> list:
    """Fire declared transitions on many cases of `model` in one transaction, writing what
    `transition_fire` writes for each, in set operations: the changed columns of the case rows
    in one UPDATE (per 500 cases), one insert of an audit entry per firing (each chained to its
    case's previous link), one of a CASE_TRANSITIONED event per firing with the payload
    `_apply_transition` gives it (the in-transaction handlers see them together; one Celery
    task delivers them after commit). All or nothing.

    For trusted callers only — scale data, imports, the system: nobody's permission or
    visibility is checked, and system transitions may be fired too. What the state allows
    still is: a transition the case's state (or its guard, e.g. an answered receipt) does not
    allow raises Conflict, a malformed payload Invalid, and a case whose stored version is not
    the instance's (changed since it was read) PreconditionFailed; nothing is written then.

    Each firing runs the declared django-fsm method on the instance with the TransitionContext
    `transition_fire` builds (payload validated by the same serializer; an item transition's
    item locked), so the methods' own writes (receipts) happen as they always do. A case may
    appear in several firings (e.g. each addressee acknowledging): they run in the order given,
    on the same instance. Pass complete instances (not `.only()`), as read or just created;
    they are updated in place, their `updated_at` set to the firing's time. As in
    `cases_create_many`, a model's own `save()` does not run: a transition changing fields
    that `save()` derives others from (InsuranceFiling's ID and phone numbers and their search
    hashes) is for `transition_fire`.

    Returns the cases, each once, in the order of their first firing."""
    if not firings:
        return []
    now = timezone.now() if now is None else now
    cases: dict[int, object] = {}
    for firing in firings:
        if type(firing.case) is not model:
            raise TypeError(f"{firing.case!r} is not a case of {model.__name__}")
        if cases.setdefault(firing.case.pk, firing.case) is not firing.case:
            raise ValueError(f"case {firing.case.pk} is given as two different instances")
    with transaction.atomic():
        _cases_lock_current(model, cases)
        previous = _audit_last_links(model, list(cases))
        before = {pk: _field_values(case) for pk, case in cases.items()}
        entries, emitted = [], []
        for firing in firings:
            entry, payload = _fire_one(model, firing, firing.now or now, previous=previous.get(firing.case.pk))
            previous[firing.case.pk] = entry
            entries.append(entry)
            emitted.append((firing.case, payload))
        _cases_update(model, list(cases.values()), before)
        instances_insert(entries)
        outbox_emit_many(events.CASE_TRANSITIONED, emitted)
    return list(cases.values())


def _cases_lock_current(model, cases: dict) -> None:
    """Lock the cases' rows (in key order) and refuse instances older than their rows."""
    stored = dict(
        model.objects.select_for_update().filter(pk__in=sorted(cases)).order_by("pk").values_list("pk", "version")
    )
    stale = sorted(pk for pk, case in cases.items() if stored.get(pk) != case.version)
    if stale:
        raise PreconditionFailed(
            _("The case has changed since you loaded it; reload and try again."),
            details={"cases": stale, "current_versions": {pk: stored.get(pk) for pk in stale}},
        )


def _item_locked(spec, firing: Firing):
    """The firing's item (None for a case transition), locked and read afresh: an earlier
    firing on the same case may have changed it (an answered objection reopens a receipt)."""
    if spec.item is None:
        return None
    item = firing.item if firing.item is not None else spec.item(firing.case, firing.by)
    if item is None:
        return None
    queryset = type(item).objects.select_for_update(of=("self",))
    if any(field.name == "organisation" for field in type(item)._meta.fields):
        queryset = queryset.select_related("organisation")
    return queryset.get(pk=item.pk)


def _audit_last_links(model, pks: list) -> dict:
    """Case id → the last link of its audit chain (its seq and hash), in one query."""
    content_type = ContentType.objects.get_for_model(model)
    last_seq = (
        AuditEntry.objects.filter(content_type=content_type, object_id=OuterRef("object_id"))
        .order_by("-seq")
        .values("seq")[:1]
    )
    return {
        entry.object_id: entry
        for entry in AuditEntry.objects.filter(
            content_type=content_type, object_id__in=pks, seq=Subquery(last_seq)
        ).only("object_id", "seq", "hash")
    }


def _fire_one(model, firing: Firing, at: datetime, *, previous) -> tuple[AuditEntry, dict]:
    """Run one transition on its case as `_apply_transition` does, without saving: the
    unsaved audit entry and the event's payload."""
    case, name, by = firing.case, firing.name, firing.by
    spec = transition_spec(model, name)
    if spec is None:
        raise DomainError("unknown_transition", _("This kind of case has no transition of that name."), 404)
    method = getattr(case, name)
    refusal = spec.guard(case, by) if spec.guard and can_proceed(method) else None
    if not can_proceed(method) or refusal:
        raise Conflict(
            refusal or _("This action is not allowed in the case's current state."),
            code="transition_not_allowed",
            details={"case": case.pk, "transition": name, "state": case.state},
        )
    item = _item_locked(spec, firing)
    data = firing.data or {}
    organisation = firing.organisation
    if organisation is None and by is not None:
        membership = membership_of(by)
        organisation = membership.organisation if membership is not None else None
    ctx = TransitionContext(
        by=by,
        organisation=organisation,
        data=validate_payload(model, name, data, case=case),
        comment=firing.comment,
        now=at,
        item=item,
    )
    from_state = case.state
    method(ctx)
    case.version += 1
    if case.state != from_state:
        set_deadline(case, case.state, ctx.now)
    case.updated_at = ctx.now
    case.__dict__.pop("_perm_cache", None)
    record = {**data, **ctx.record}
    if ctx.item is not None:
        record["item"] = ctx.item.pk
    entry = audit_entry(
        case, ctx=ctx, transition=name, from_state=from_state, to_state=case.state, payload=record, previous=previous
    )
    payload = case_event_payload(
        case,
        notify_roles=list(spec.notify),
        transition=name,
        from_state=from_state,
        actor=by.pk if by else None,
        organisation=organisation.pk if organisation else None,
        comment=ctx.comment,
    )
    return entry, payload


def _field_values(case) -> dict:
    return {field.attname: field.value_from_object(case) for field in case._meta.concrete_fields}


def _cases_update(model, cases: list, before: dict) -> None:
    """Write the columns the transitions changed, for all the cases at once: on PostgreSQL one
    UPDATE … FROM (VALUES …) per 500 cases (`bulk_update` builds a CASE per column and row,
    milliseconds a case in Python), elsewhere `bulk_update`."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key
        and any(field.value_from_object(case) != before[case.pk][field.attname] for case in cases)
    ]
    db = router.db_for_write(model)
    connection = connections[db]
    if connection.vendor != "postgresql":
        model.objects.using(db).bulk_update(cases, [field.name for field in fields], batch_size=500)
        return
    quote = connection.ops.quote_name
    pk = model._meta.pk
    columns = [pk, *fields]
    names = ", ".join(quote(field.column) for field in columns)
    assignments = ", ".join(
        f"{quote(field.column)} = v.{quote(field.column)}::{field.db_type(connection)}" for field in fields
    )
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(cases), 500):
            chunk = cases[start : start + 500]
            cursor.execute(
                f"UPDATE {quote(model._meta.db_table)} AS t SET {assignments}"  # noqa: S608 - names from the model
                f" FROM (VALUES {', '.join([row] * len(chunk))}) AS v({names})"
                f" WHERE t.{quote(pk.column)} = v.{quote(pk.column)}::{pk.db_type(connection)}",
                [
                    field.get_db_prep_save(getattr(case, field.attname), connection)
                    for case in chunk
                    for field in columns
                ],
            )
