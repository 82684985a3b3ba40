"""Who an engine event concerns: computed from the case's participants, so no mechanism
works out its own recipients."""

from django.contrib.auth import get_user_model

from coordination import events
from coordination.models import Participant


def event_organisation_ids(event) -> set[int]:
    payload = event.payload
    if event.kind == events.DEADLINE_REMINDER:
        return set(payload.get("organisations", []))
    if event.kind == events.DEADLINE_ESCALATED:
        return set(payload.get("organisations", [])) | set(payload.get("responsible", []))
    if event.content_type_id is None:
        return set(payload.get("organisations", []))
    participants = Participant.objects.filter(content_type_id=event.content_type_id, object_id=event.object_id)
    # A transition may name the roles it concerns (an addressee's acknowledgement concerns the
    # issuer, not the other addressees); a receipt being read concerns the originator.
    roles = payload.get("notify_roles") or ([Participant.Role.ORIGINATOR] if event.kind == events.RECEIPT_READ else [])
    if roles:
        participants = participants.filter(role__in=roles)
    return set(participants.values_list("organisation_id", flat=True))


def event_audience(event):
    """The active users of every organisation the event concerns, but not the person whose
    action caused it."""
    users = get_user_model().objects.filter(
        is_active=True, membership__organisation_id__in=event_organisation_ids(event)
    )
    actor = event.payload.get("actor")
    if actor:
        users = users.exclude(pk=actor)
    return users
