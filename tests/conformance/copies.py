"""More cases of any registered mechanism, through the engine: each demo case again, with its
own fields, state and participants (`cases_create_many`, the engine's set-based path), so a list
can be measured at a second size without knowing what the mechanism's cases hold."""

from collections import defaultdict
from itertools import count

from django.contrib.auth import get_user_model
from django.db import models

from coordination.demo import USERS_BY_ORG
from coordination.models import Case, Participant
from coordination.workflow.engine import NewCase, cases_create_many

# Set by the engine (or its own bookkeeping), not copied: the copy gets its own.
ENGINE_FIELDS = {f.name for f in Case._meta.get_fields()} - {"time_limit"}
_serial = count(1)


def _unique_fields(model) -> set[str]:
    """Fields under a uniqueness rule of the model (beyond the reference the engine allocates)."""
    names = {f.name for f in model._meta.concrete_fields if f.unique and not f.primary_key}
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            names |= set(constraint.fields)
    return names - ENGINE_FIELDS


def own_fields(case) -> dict:
    model = type(case)
    values = {}
    unique = _unique_fields(model)
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name in ENGINE_FIELDS or f.auto_created:
            continue
        value = getattr(case, f.attname)
        if f.name in unique and isinstance(f, models.CharField):
            # A copy must not collide with its original (a hospital's reference, an open filing
            # per person): a tag keeps it unique and within the column's length.
            tag = f"~{next(_serial)}"
            value = (value or "")[: f.max_length - len(tag)] + tag
        values[f.attname] = value
    return values


def copy_cases(snapshots, *, times: int = 2) -> list:
    """`times` copies of each case, created by its originator's demo user, as one batch per
    originator and mechanism code."""
    User = get_user_model()
    batches = defaultdict(list)
    for snap in snapshots:
        case = snap.case
        parties = [
            (p.organisation_id, p.role)
            for p in snap.parties
            if not (p.organisation_id == case.originator_id and p.role == Participant.Role.ORIGINATOR)
        ]
        for n in range(times):
            batches[(case.originator.code, case.mechanism_id, type(case))].append((case, parties, n))
    created = []
    from coordination.models import Organisation

    organisations = {o.pk: o for o in Organisation.objects.all()}
    for (originator, mechanism_code, model), items in batches.items():
        new = [
            NewCase(
                title=f"{case.title}（{n + 2}）",
                participants=[(organisations[org_id], role) for org_id, role in parties],
                fields=own_fields(case),
            )
            for case, parties, n in items
        ]
        by = User.objects.get(username=USERS_BY_ORG[originator])
        created += cases_create_many(model, new, by=by, mechanism_code=mechanism_code)
    return created
