"""Who an engine event concerns: computed from the case's participants, so no mechanism
works out its own recipients."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from coordination import events
from coordination.models import Participant


def _named_organisations(event) -> set[int] | None:
    """The organisations an event names itself, or None when its case's participants decide."""
    payload = event.payload
    if event.kind == events.DEADLINE_REMINDER:
        return set(payload.get("organisations", []))
    if event.kind == events.DEADLINE_ESCALATED:
        return set(payload.get("organisations", [])) | set(payload.get("responsible", []))
    if event.content_type_id is None:
        return set(payload.get("organisations", []))
    return None


def _concerned_roles(event) -> list[str]:
    # A transition may name the roles it concerns (an addressee's acknowledgement concerns the
    # issuer, not the other addressees); a receipt being read concerns the originator. None: all.
    return event.payload.get("notify_roles") or (
        [Participant.Role.ORIGINATOR] if event.kind == events.RECEIPT_READ else []
    )


def events_organisation_ids(recorded) -> dict[int, set[int]]:
    """Event id → the organisations each event concerns: those it names, else its case's
    participants (in the roles it concerns), read for all the events' cases in one query."""
    organisations: dict[int, set[int]] = {}
    case_ids: dict[int, set[int]] = {}  # content type → object ids
    for event in recorded:
        named = _named_organisations(event)
        if named is not None:
            organisations[event.pk] = named
        else:
            case_ids.setdefault(event.content_type_id, set()).add(event.object_id)
    if not case_ids:
        return organisations
    cases = Q(pk__in=[])
    for content_type_id, object_ids in case_ids.items():
        cases |= Q(content_type_id=content_type_id, object_id__in=object_ids)
    participants: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for content_type_id, object_id, organisation_id, role in Participant.objects.filter(cases).values_list(
        "content_type_id", "object_id", "organisation_id", "role"
    ):
        participants.setdefault((content_type_id, object_id), []).append((organisation_id, role))
    for event in recorded:
        if event.pk not in organisations:
            roles = _concerned_roles(event)
            organisations[event.pk] = {
                organisation_id
                for organisation_id, role in participants.get((event.content_type_id, event.object_id), ())
                if not roles or role in roles
            }
    return organisations


def event_organisation_ids(event) -> set[int]:
    return events_organisation_ids([event])[event.pk]


def event_audiences(recorded) -> dict[int, list[int]]:
    """Event id → the active users of every organisation the event concerns, but not the person
    whose action caused it (sorted ids): two queries for any number of events."""
    organisations = events_organisation_ids(recorded)
    members: dict[int, set[int]] = {}
    wanted = set().union(*organisations.values()) if organisations else set()
    if wanted:
        for user_id, organisation_id in (
            get_user_model()
            .objects.filter(is_active=True, membership__organisation_id__in=wanted)
            .values_list("pk", "membership__organisation_id")
        ):
            members.setdefault(organisation_id, set()).add(user_id)
    audiences = {}
    for event in recorded:
        users = set().union(*(members.get(pk, set()) for pk in organisations[event.pk]))
        users.discard(event.payload.get("actor"))
        audiences[event.pk] = sorted(users)
    return audiences


def event_audience(event) -> list[int]:
    """The ids of the users the event concerns (see `event_audiences`)."""
    return event_audiences([event])[event.pk]
