"""Write services of M3 assignment sheets."""

from datetime import datetime, timedelta

from coordination.mechanisms.assignment_sheets.models import AssignmentSheet
from coordination.models import Organisation, Participant
from coordination.workflow.engine import case_create


def assignment_sheet_create(
    *,
    by,
    title: str,
    matter: str,
    addressee: Organisation,
    reply_due: datetime | None = None,
    time_limit: timedelta | None = None,
) -> AssignmentSheet:
    """A liaison office (or the Office) assigns a matter to another region's liaison office.
    Who may: the declaration's `may_create`, which `case_create` checks."""
    return case_create(
        AssignmentSheet,
        by=by,
        title=title,
        matter=matter,
        reply_due=reply_due,
        time_limit=time_limit,
        participants=[(addressee, Participant.Role.RESPONDER)],
    )
