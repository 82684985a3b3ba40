"""What waits for an organisation, across every mechanism: the "My work" landing page.

Built from what each case model declares — its timed states (who must act before the
deadline) and its transitions (which action each state waits for) — so a new mechanism's
cases appear here without an edit. One query per case model, whatever the number of cases.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.models import Case, Participant, Receipt
from coordination.workflow import mechanisms
from coordination.workflow.access import ROLE_PERMISSIONS, membership_of
from coordination.workflow.transitions import declared_transitions

Role = Participant.Role
ReceiptState = Receipt.State
# A receipt that has been answered no longer waits for its addressee (an objection waits for
# the originator's answer instead).
ANSWERED = Receipt.ANSWERED
LIMIT_PER_MODEL = 200


def open_states(model) -> set[str]:
    """States some declared transition leaves: a case in any other state is finished."""
    sources = set()
    for meta in declared_transitions(model).values():
        sources.update(s for s in meta.transitions if s != "*")
    return sources


@cache
def waiting_roles(model) -> dict[str, tuple[str, ...]]:
    """state → the participant roles the case waits for there.

    Timed states name their responsible roles; an untimed open state waits for a role when all
    its transitions need one action (a returned sheet waits for its originator to resubmit or
    withdraw). States where several parties may act and none is timed wait for nobody."""
    roles = {str(state): tuple(r) for state, r in model.timed_states.items()}
    actions: dict[str, set[str]] = {}
    for meta in declared_transitions(model).values():
        for source, info in meta.transitions.items():
            action = getattr(info.permission, "action", None)
            if action and source != "*":
                actions.setdefault(source, set()).add(action)
    for state, needed in actions.items():
        if state in roles or len(needed) != 1:
            continue
        (action,) = needed
        roles[state] = tuple(
            role for role, allowed in ROLE_PERMISSIONS.items() if action in allowed and role != Role.OBSERVER
        )
    return roles


@dataclass(frozen=True)
class WorkItem:
    case: Case
    label: str  # the mechanism's resource: the case page is /cases/<label>/<id>/
    role: str
    objection_waiting: bool
    now: datetime

    @property
    def due_at(self):
        return self.case.due_at

    @property
    def urgency(self) -> str:
        """overdue, soon (within a day), later or none: how the row is marked."""
        if self.case.due_at is None:
            return "none"
        if self.case.due_at <= self.now:
            return "overdue"
        if self.case.due_at <= self.now + timedelta(days=1):
            return "soon"
        return "later"

    @property
    def reason(self) -> str:
        if self.objection_waiting:
            return str(_("An objection waits for your answer"))
        if self.role == Role.ADDRESSEE:
            return str(_("Acknowledge receipt"))
        if self.role == Role.RESPONDER:
            return str(_("Your reply is due"))
        if self.role == Role.REVIEWER:
            return str(_("Your review is due"))
        return str(_("Your decision is needed"))

    @property
    def sort_key(self):
        due = self.case.due_at
        return (due is None, due or self.case.created_at, self.case.created_at)


def _model_work(declaration, organisation_id: int, now) -> tuple[list[WorkItem], int]:
    model = declaration.model
    waiting = waiting_roles(model)
    if not waiting:
        return [], 0
    content_type = ContentType.objects.get_for_model(model)
    mine = Participant.objects.filter(
        content_type=content_type, object_id=OuterRef("pk"), organisation_id=organisation_id
    )
    receipts = Receipt.objects.filter(content_type=content_type, object_id=OuterRef("pk"))
    # An addressee whose receipt is answered waits no more (an objection waits for the originator).
    unanswered = ~Exists(receipts.filter(organisation_id=organisation_id, state__in=ANSWERED))
    condition = Q(pk__in=[])
    for state, roles in waiting.items():
        condition |= Q(state=state) & Exists(mine.filter(role__in=roles)) & unanswered
    objected = receipts.filter(state=ReceiptState.OBJECTED)
    condition |= Q(state__in=list(model.timed_states)) & Exists(mine.filter(role=Role.ORIGINATOR)) & Exists(objected)
    queryset = (
        model.objects.filter(condition)
        .annotate(
            my_role=Subquery(mine.exclude(role=Role.OBSERVER).order_by("role").values("role")[:1]),
            objection_waiting=Exists(mine.filter(role=Role.ORIGINATOR)) & Exists(objected),
        )
        .select_related("mechanism", "originator")
    )
    label = declaration.resource
    rows = list(queryset.order_by(F("due_at").asc(nulls_last=True), "created_at")[: LIMIT_PER_MODEL + 1])
    count = len(rows) if len(rows) <= LIMIT_PER_MODEL else queryset.count()
    items = [
        WorkItem(case=c, label=label, role=c.my_role or "", objection_waiting=c.objection_waiting, now=now)
        for c in rows[:LIMIT_PER_MODEL]
    ]
    return items, count


def my_work(user, *, now=None) -> tuple[list[WorkItem], int]:
    """What waits for the user's organisation: items sorted by deadline (none last), and the total."""
    membership = membership_of(user)
    if membership is None:
        return [], 0
    now = now or timezone.now()
    items, total = [], 0
    for declaration in mechanisms.registered():
        found, count = _model_work(declaration, membership.organisation_id, now)
        items.extend(found)
        total += count
    items.sort(key=lambda item: item.sort_key)
    return items, total
