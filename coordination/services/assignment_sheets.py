from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied

from coordination.models import AssignmentSheet, Membership, Organisation, Participant
from coordination.workflow.access import membership_of
from coordination.workflow.engine import case_create

# Who may assign a matter: liaison officers of a liaison office, and the Office's coordinators.
ASSIGNERS = {
    (Organisation.Kind.LIAISON_OFFICE, Membership.Role.LIAISON_OFFICER),
    (Organisation.Kind.COOPERATION_OFFICE, Membership.Role.COORDINATOR),
}


def can_assign(user) -> bool:
    membership = membership_of(user)
    return membership is not None and (membership.organisation.kind, membership.role) in ASSIGNERS


def assignment_sheet_create(
    *,
    by,
    title: str,
    matter: str,
    addressee: Organisation,
    reply_due: datetime | None = None,
    time_limit: timedelta | None = None,
) -> AssignmentSheet:
    """A liaison office (or the Office) assigns a matter to another region's liaison office."""
    if not can_assign(by):
        raise PermissionDenied
    return case_create(
        AssignmentSheet,
        by=by,
        title=title,
        matter=matter,
        reply_due=reply_due,
        time_limit=time_limit,
        participants=[(addressee, Participant.Role.RESPONDER)],
    )
