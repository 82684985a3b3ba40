"""Organisations joining and leaving a case, with their object permissions and items."""

from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from coordination.models import Organisation, Participant
from coordination.workflow.access import (
    grant_role_permissions_many,
    sync_group_permissions,
)
from coordination.workflow.bulk import instances_insert, rows_insert

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
