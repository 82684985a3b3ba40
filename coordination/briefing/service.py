"""Who reads the briefing, and the figures of every registered panel for them.

Leaders only (Membership.Role.LEADER): the Regional Cooperation Office's leader sees all four
regions, a regional leading group's leader their own region. Anybody else signed in gets 403 —
the dashboard is a page everybody knows exists, so refusing it leaks nothing (404 is kept for
cases, whose existence is itself information).
"""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from coordination.briefing import BriefingScope, panels
from coordination.briefing import core as _core  # noqa: F401 - registers the core panels
from coordination.briefing.core import PROVINCIAL
from coordination.models import Membership, Organisation
from coordination.models.briefing import OFFICE_SCOPE
from coordination.workflow.access import membership_of


def scope_for_leader(membership: Membership | None, *, now=None) -> BriefingScope | None:
    if membership is None or membership.role != Membership.Role.LEADER:
        return None
    organisation = membership.organisation
    now = now or timezone.now()
    if organisation.kind == Organisation.Kind.COOPERATION_OFFICE:
        return BriefingScope(region_codes=PROVINCIAL, now=now)
    if organisation.kind == Organisation.Kind.LEADING_GROUP and organisation.region_id:
        return BriefingScope(region_codes=(organisation.region_id,), now=now)
    return None


def briefing_scope_for(user, *, now=None) -> BriefingScope:
    """The scope of the user's briefing, or PermissionDenied."""
    scope = scope_for_leader(membership_of(user), now=now)
    if scope is None:
        raise PermissionDenied
    return scope


def briefing_compute(scope: BriefingScope) -> list[dict]:
    """Every registered panel's figures, in panel order."""
    return [
        {"key": p.key, "title": str(p.title), "order": p.order, "template": p.template, "data": p.compute(scope)}
        for p in panels()
    ]


def briefing_leader_ids(scope_key: str) -> list[int]:
    """The users whose briefing is the scope's (see scope_for_leader), e.g. to tell their open
    dashboards that its figures changed."""
    leaders = Membership.objects.filter(role=Membership.Role.LEADER, user__is_active=True)
    if scope_key == OFFICE_SCOPE:
        leaders = leaders.filter(organisation__kind=Organisation.Kind.COOPERATION_OFFICE)
    else:
        leaders = leaders.filter(
            organisation__kind=Organisation.Kind.LEADING_GROUP, organisation__region_id__in=scope_key.split("-")
        )
    return list(leaders.order_by("user_id").values_list("user_id", flat=True))
