"""What opening a case does, for the API and the pages alike (`case_open`).

Opening is explicit, never a side effect the caller did not ask for: the pattern's part (an
addressee's read receipt) happens only when a person reads the case — a page's render, or the
API's `POST {resource}/{id}/read/` — never on an integrating system's `GET`; the mechanism's
part (the personal-data access log of a filing) happens on every opening, through whatever door.
"""

from coordination.pii.access import personal_data_access_record
from coordination.pii.models import PersonalDataAccess
from coordination.workflow import mechanisms
from coordination.workflow.access import case_for_user


def case_open(user, model, pk, *, read: bool, channel: str):
    """The case, if the user may see it (else 404), opened: `read` says a person reads it,
    `channel` ("page" or "api") is recorded by mechanisms that log openings."""
    case = case_for_user(user, model, pk)
    declaration = mechanisms.for_model(model)
    if declaration.personal is not None and declaration.personal.log_openings:
        personal_data_access_record(case, by=user, action=PersonalDataAccess.Action.OPEN)
    if declaration.on_open is not None:
        declaration.on_open(case, user, channel)
    if case.on_open(user, read=read):
        # The pattern changed the case's items (a read receipt): read it again to show them.
        case = case_for_user(user, model, pk)
    return case
