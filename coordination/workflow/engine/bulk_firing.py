"""Firing transitions on many cases at once, for trusted callers (scale data, imports)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connections, router, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import events
from coordination.errors import DomainError, PreconditionFailed
from coordination.models import AuditEntry, Organisation
from coordination.workflow.access import (
    membership_of,
)
from coordination.workflow.bulk import instances_insert
from coordination.workflow.engine.context import TransitionContext
from coordination.workflow.engine.firing import _locked_item, refuse_unless_allowed, transition_run, validate_payload
from coordination.workflow.engine.records import audit_entry, outbox_emit_many
from coordination.workflow.transitions import transition_spec

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
    """Run one transition on its case as `transition_fire` does (the same refusal, payload
    validation, item lock and `transition_run`), without saving: the unsaved audit entry and
    the event's payload."""
    case, name, by = firing.case, firing.name, firing.by
    spec = transition_spec(model, name)
    if spec is None:
        raise DomainError("unknown_transition", _("This kind of case has no transition of that name."), 404)
    refuse_unless_allowed(case, spec, by, details=lambda: {"case": case.pk, "transition": name})
    organisation = firing.organisation
    if organisation is None and by is not None:
        membership = membership_of(by)
        organisation = membership.organisation if membership is not None else None
    ctx = TransitionContext(
        by=by,
        organisation=organisation,
        data=validate_payload(model, name, firing.data or {}, case=case),
        comment=firing.comment,
        now=at,
        item=_locked_item(spec, case, by, item=firing.item),
    )
    run = transition_run(case, name, ctx, payload=firing.data or {})
    ctx.run_late()  # nothing is hot in a batch: the late effects need no ordering here
    case.updated_at = ctx.now
    entry = audit_entry(
        case,
        ctx=ctx,
        transition=name,
        from_state=run.from_state,
        to_state=case.state,
        payload=run.record,
        previous=previous,
    )
    return entry, run.event


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
